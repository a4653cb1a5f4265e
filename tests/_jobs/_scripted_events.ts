// The scripted events of the event-time and window test jobs: out of order,
// with the watermarks a punctuated generator emits after some of them.
import { type WatermarkGenerator, WatermarkStrategy } from "spate";

/** An event; `wm` makes the punctuated generator emit that watermark after it. */
export interface Ev {
  k: string;
  ts: number;
  v: number;
  wm?: number;
}

/** Out-of-order events; 5 and 7 arrive behind the watermark (late). */
export const SCRIPT: Ev[] = [
  { k: "a", ts: 1, v: 1 },
  { k: "b", ts: 3, v: 2 },
  { k: "a", ts: 12, v: 4 },
  { k: "a", ts: 5, v: 8 },
  { k: "b", ts: 15, v: 16, wm: 10 },
  { k: "a", ts: 8, v: 32 }, // late: 8 <= 10
  { k: "c", ts: 25, v: 64, wm: 20 },
  { k: "b", ts: 19, v: 128 }, // late: 19 <= 20
  { k: "a", ts: 21, v: 256 },
  { k: "c", ts: 22, v: 512, wm: 22 },
  { k: "b", ts: 38, v: 1024 },
];

/** Emits an event's `wm` after it. */
export const punctuated = (): WatermarkGenerator<Ev> => ({
  onEvent(e, _ts, out) {
    if (e.wm !== undefined) out.emitWatermark(e.wm);
  },
  onPeriodicEmit() {},
});

/** Timestamps from `ts`, watermarks from `wm`. */
export const scriptedStrategy = WatermarkStrategy.forGenerator(punctuated)
  .withTimestampAssigner((e: Ev) => e.ts);
