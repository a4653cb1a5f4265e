import assert from "node:assert/strict";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { SlidingEventTimeWindows, SlidingProcessingTimeWindows } from "./sliding_windows.ts";

const at = (nowMs: number) => ({ currentProcessingTime: nowMs });

function assign(assigner: SlidingEventTimeWindows, ts: number): string[] {
  return assigner.assignWindows("e", ts, at(0)).map(String);
}

/** Flink's SlidingEventTimeWindows.assignWindows in Java long arithmetic. */
function flinkSliding(ts: number, size: number, slide: number, offset: number): string[] {
  const [t, s, sl, o] = [ts, size, slide, offset].map(BigInt);
  const remainder = (t - o) % sl;
  const lastStart = remainder < 0n ? t - (remainder + sl) : t - remainder;
  const out: string[] = [];
  for (let start = lastStart; start > t - s; start -= sl) out.push(`[${start}, ${start + s})`);
  return out;
}

Deno.test("sliding event time: Flink's windows for size 5000, slide 1000", () => {
  const w = SlidingEventTimeWindows.of(5_000, 1_000);
  assert.deepEqual(assign(w, 0), [
    "[0, 5000)",
    "[-1000, 4000)",
    "[-2000, 3000)",
    "[-3000, 2000)",
    "[-4000, 1000)",
  ]);
  assert.deepEqual(assign(w, 4_999), [
    "[4000, 9000)",
    "[3000, 8000)",
    "[2000, 7000)",
    "[1000, 6000)",
    "[0, 5000)",
  ]);
  assert.deepEqual(assign(w, 5_000)[0], "[5000, 10000)");
  assert.deepEqual(assign(w, 5_000).at(-1), "[1000, 6000)");
  assert.deepEqual(assign(w, -1), [
    "[-1000, 4000)",
    "[-2000, 3000)",
    "[-3000, 2000)",
    "[-4000, 1000)",
    "[-5000, 0)",
  ]);
  assert.equal(w.isEventTime, true);
  assert.ok(w.defaultTrigger() instanceof EventTimeTrigger);
});

Deno.test("sliding event time: offsets (Flink's cases)", () => {
  assert.deepEqual(assign(SlidingEventTimeWindows.of(5_000, 1_000, 100), 100), [
    "[100, 5100)",
    "[-900, 4100)",
    "[-1900, 3100)",
    "[-2900, 2100)",
    "[-3900, 1100)",
  ]);
  assert.deepEqual(assign(SlidingEventTimeWindows.of(5_000, 1_000, -100), 899)[0], "[-100, 4900)");
  assert.deepEqual(assign(SlidingEventTimeWindows.of(5_000, 1_000, -100), 900)[0], "[900, 5900)");
});

Deno.test("sliding: each element is in size/slide windows that hold it, as Flink computes them", () => {
  for (const [size, slide] of [[10, 5], [12, 3], [7, 7], [10, 3], [3, 10]]) {
    for (const offset of [0, slide - 1, -(slide - 1)]) {
      const w = SlidingEventTimeWindows.of(size, slide, offset);
      for (let ts = -40; ts <= 40; ts++) {
        const windows = w.assignWindows("e", ts, at(0));
        assert.deepEqual(windows.map(String), flinkSliding(ts, size, slide, offset));
        for (const win of windows) assert.ok(win.start <= ts && ts < win.end);
        if (size % slide === 0) assert.equal(windows.length, size / slide);
        else assert.ok(windows.length <= Math.ceil(size / slide));
      }
    }
  }
});

Deno.test("sliding processing time: the current processing time places the element", () => {
  const w = SlidingProcessingTimeWindows.of(10_000, 5_000);
  assert.deepEqual(w.assignWindows("e", -77, at(7_000)).map(String), [
    "[5000, 15000)",
    "[0, 10000)",
  ]);
  assert.equal(w.isEventTime, false);
  assert.ok(w.defaultTrigger() instanceof ProcessingTimeTrigger);
});

Deno.test("sliding: size > 0, slide > 0 and |offset| < slide, or a RangeError naming the value", () => {
  for (const make of [SlidingEventTimeWindows.of, SlidingProcessingTimeWindows.of]) {
    assert.throws(() => make(0, 1_000), /sizeMs must be an integer > 0 \(milliseconds\), got 0/);
    assert.throws(() => make(1_000, 0), /slideMs must be an integer > 0 \(milliseconds\), got 0/);
    assert.throws(() => make(1_000, -10), /slideMs .* got -10/);
    assert.throws(() => make(5_000, 1_000, 1_000), /offsetMs .* \|offset\| < 1000 .* got 1000/);
    assert.throws(() => make(5_000, 1_000, -2_000), /got -2000/);
    make(5_000, 1_000, 999);
  }
  assert.throws(() => SlidingEventTimeWindows.of(1_000, 0), /^RangeError: SlidingEventTimeWindows/);
  assert.throws(
    () => SlidingEventTimeWindows.of(1_000, 100).assignWindows("e", NaN, at(0)),
    TypeError,
  );
});
