import assert from "node:assert/strict";
import type { KeyedProcessFunction } from "../api/functions.ts";
import { OutputTag } from "../api/functions.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { KeyedProcessOperator } from "./keyed_process.ts";

type Ev = { k: string; v: number };
const late = new OutputTag<Ev>("late");

/** Sums per key until 10 ms after the first event, then emits; late events go aside. */
function sumUntilTimer(): KeyedProcessFunction<string, Ev, [string, number]> {
  const d = new ValueStateDescriptor<number>("sum");
  let state: ValueState<number>;
  return {
    open(ctx) {
      state = ctx.getState(d);
    },
    processElement(e, ctx) {
      if (ctx.timestamp()! <= ctx.timerService().currentWatermark()) {
        ctx.output(late, e);
        return;
      }
      if (state.value() === undefined) {
        ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
      }
      state.update((state.value() ?? 0) + e.v);
    },
    onTimer(_ts, ctx, out) {
      assert.equal(ctx.timeDomain(), "event_time");
      out.collect([ctx.getCurrentKey(), state.value()!]);
      state.clear();
    },
  };
}

Deno.test("event-time timers fire per key as the watermark passes them, stamped with their time", async () => {
  const h = await new OperatorHarness(
    new KeyedProcessOperator(sumUntilTimer(), (e: Ev) => e.k),
    { keyed: true },
  ).open();
  h.element({ k: "a", v: 1 }, 100).element({ k: "b", v: 5 }, 103).element({ k: "a", v: 2 }, 105);
  h.watermark(109);
  assert.deepEqual(h.timestamped(), []);
  h.watermark(110);
  assert.deepEqual(h.timestamped(), [[["a", 3], 110]]);
  h.element({ k: "a", v: 7 }, 90); // behind the watermark: late
  assert.deepEqual(h.side("late"), [{ k: "a", v: 7 }]);
  h.watermark(200);
  assert.deepEqual(h.records(), [["a", 3], ["b", 5]]);
  assert.deepEqual(h.watermarks(), [109, 110, 200]);
});

Deno.test("timers survive a snapshot and restore; processing-time timers follow the manual clock", async () => {
  const fn: KeyedProcessFunction<string, Ev, string> = {
    processElement(e, ctx) {
      ctx.timerService().registerProcessingTimeTimer(
        ctx.timerService().currentProcessingTime() + e.v,
      );
      ctx.timerService().registerEventTimeTimer(1_000);
    },
    onTimer(ts, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.timeDomain()}`);
    },
  };
  const first = await new OperatorHarness(new KeyedProcessOperator(fn, (e: Ev) => e.k), {
    keyed: true,
  }).open();
  first.element({ k: "a", v: 50 }).element({ k: "b", v: 20 });
  const snapshot = await first.snapshot();
  const second = await new OperatorHarness(new KeyedProcessOperator(fn, (e: Ev) => e.k), {
    keyed: true,
  }).open(snapshot);
  second.advanceProcessingTime(30);
  assert.deepEqual(second.records(), ["b@20:processing_time"]);
  second.advanceProcessingTime(60).watermark(1_000);
  assert.deepEqual(second.records(), [
    "b@20:processing_time",
    "a@50:processing_time",
    "a@1000:event_time",
    "b@1000:event_time",
  ]);
});

Deno.test("the final watermark (+Infinity) fires every event-time timer, and none when there are none", async () => {
  const h = await new OperatorHarness(
    new KeyedProcessOperator(sumUntilTimer(), (e: Ev) => e.k),
    { keyed: true },
  ).open();
  h.watermark(Infinity);
  h.element({ k: "a", v: 1 }, 100);
  const again = await new OperatorHarness(
    new KeyedProcessOperator(sumUntilTimer(), (e: Ev) => e.k),
    { keyed: true },
  ).open();
  again.element({ k: "a", v: 1 }, 100).watermark(Infinity);
  assert.deepEqual(again.timestamped(), [[["a", 1], 110]]);
  assert.deepEqual(h.side("late"), [{ k: "a", v: 1 }]);
});
