import assert from "node:assert/strict";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { TumblingEventTimeWindows, TumblingProcessingTimeWindows } from "./tumbling_windows.ts";
import { isMergingWindowAssigner } from "./window_assigners.ts";

const at = (nowMs: number) => ({ currentProcessingTime: nowMs });

/** The windows of an element at `ts`, as strings. */
function assign(assigner: TumblingEventTimeWindows, ts: number): string[] {
  return assigner.assignWindows("e", ts, at(0)).map(String);
}

Deno.test("tumbling event time: one window per element, at multiples of the size", () => {
  const w = TumblingEventTimeWindows.of(5_000);
  assert.deepEqual(assign(w, 0), ["[0, 5000)"]);
  assert.deepEqual(assign(w, 4_999), ["[0, 5000)"]);
  assert.deepEqual(assign(w, 5_000), ["[5000, 10000)"]);
  assert.deepEqual(assign(w, -1), ["[-5000, 0)"]);
  assert.deepEqual(assign(w, -5_000), ["[-5000, 0)"]);
  assert.deepEqual(assign(w, -5_001), ["[-10000, -5000)"]);
  assert.equal(w.isEventTime, true);
  assert.ok(w.defaultTrigger() instanceof EventTimeTrigger);
  assert.equal(isMergingWindowAssigner(w), false);
});

Deno.test("tumbling event time: offsets shift the boundaries (Flink's cases)", () => {
  const plus = TumblingEventTimeWindows.of(5_000, 100);
  assert.deepEqual(assign(plus, 100), ["[100, 5100)"]);
  assert.deepEqual(assign(plus, 5_099), ["[100, 5100)"]);
  assert.deepEqual(assign(plus, 5_100), ["[5100, 10100)"]);
  assert.deepEqual(assign(plus, 99), ["[-4900, 100)"]);
  const minus = TumblingEventTimeWindows.of(5_000, -100);
  assert.deepEqual(assign(minus, 0), ["[-100, 4900)"]);
  assert.deepEqual(assign(minus, 4_899), ["[-100, 4900)"]);
  assert.deepEqual(assign(minus, 4_900), ["[4900, 9900)"]);
  assert.deepEqual(assign(minus, -101), ["[-5100, -100)"]);
});

Deno.test("tumbling event time: a record without a timestamp is an error naming the cause", () => {
  const w = TumblingEventTimeWindows.of(1_000);
  assert.throws(
    () => w.assignWindows("e", NaN, at(0)),
    /TumblingEventTimeWindows\(1000, 0\) got a record with timestamp NaN: .*WatermarkStrategy/,
  );
});

Deno.test("tumbling processing time: the current processing time places the element", () => {
  const w = TumblingProcessingTimeWindows.of(10_000, 1_000);
  assert.deepEqual(w.assignWindows("e", 999_999, at(25_000)).map(String), ["[21000, 31000)"]);
  assert.deepEqual(w.assignWindows("e", 0, at(500)).map(String), ["[-9000, 1000)"]);
  assert.equal(w.isEventTime, false);
  assert.ok(w.defaultTrigger() instanceof ProcessingTimeTrigger);
});

Deno.test("tumbling: size > 0 and |offset| < size, or a RangeError naming the value", () => {
  for (const make of [TumblingEventTimeWindows.of, TumblingProcessingTimeWindows.of]) {
    assert.throws(() => make(0), /sizeMs must be an integer > 0 \(milliseconds\), got 0/);
    assert.throws(() => make(-5), /got -5/);
    assert.throws(() => make(1.5), /got 1.5/);
    assert.throws(() => make(NaN), RangeError);
    assert.throws(() => make(1_000, 1_000), /offsetMs must be an integer with \|offset\| < 1000/);
    assert.throws(() => make(1_000, -1_000), /got -1000/);
    make(1_000, 999);
    make(1_000, -999);
  }
  assert.throws(() => TumblingEventTimeWindows.of(0), /^RangeError: TumblingEventTimeWindows\.of/);
});
