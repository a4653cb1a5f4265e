import assert from "node:assert/strict";
import {
  CountEvictor,
  DeltaEvictor,
  type Evictor,
  TimeEvictor,
  type TimestampedValue,
} from "./evictors.ts";
import { TimeWindow } from "./time_window.ts";

const window = new TimeWindow(0, 100);
const ctx = { currentProcessingTime: 0, currentWatermark: 0 };

/** Runs `evictBefore` and `evictAfter` on copies; returns the values each keeps. */
function evict<T>(evictor: Evictor<T, TimeWindow>, elements: TimestampedValue<T>[]) {
  const before = [...elements];
  evictor.evictBefore(before, before.length, window, ctx);
  const after = [...elements];
  evictor.evictAfter(after, after.length, window, ctx);
  return { before: before.map((e) => e.value), after: after.map((e) => e.value) };
}

const values = (...vs: number[]) => vs.map((value) => ({ value }));
const stamped = (...ts: number[]) => ts.map((t) => ({ value: t, timestamp: t }));

Deno.test("CountEvictor keeps the last n elements, before or after the window function", () => {
  const all = values(1, 2, 3, 4, 5);
  assert.deepEqual(evict(CountEvictor.of(2), all), { before: [4, 5], after: [1, 2, 3, 4, 5] });
  assert.deepEqual(evict(CountEvictor.of(2, true), all), {
    before: [1, 2, 3, 4, 5],
    after: [4, 5],
  });
  assert.deepEqual(evict(CountEvictor.of(5), all).before, [1, 2, 3, 4, 5]);
  assert.deepEqual(evict(CountEvictor.of(9), all).before, [1, 2, 3, 4, 5]);
  assert.deepEqual(evict(CountEvictor.of(1), []).before, []);
});

Deno.test("TimeEvictor keeps timestamps > max timestamp - windowMs, in order", () => {
  // Max 50, window 20: keeps > 30. The max need not be last.
  const elements = stamped(10, 50, 30, 31, 45, 29);
  assert.deepEqual(evict(TimeEvictor.of(20), elements), {
    before: [50, 31, 45],
    after: [10, 50, 30, 31, 45, 29],
  });
  assert.deepEqual(evict(TimeEvictor.of(20, true), elements).after, [50, 31, 45]);
  assert.deepEqual(evict(TimeEvictor.of(1), stamped(-5, -3, -3)).before, [-3, -3]);
  // Without timestamps (processing time) it keeps everything, as Flink's.
  assert.deepEqual(evict(TimeEvictor.of(1), values(1, 2, 3)).before, [1, 2, 3]);
  assert.deepEqual(evict(TimeEvictor.of(1), []).before, []);
});

Deno.test("DeltaEvictor drops elements whose delta to the last one reaches the threshold", () => {
  const distance = (a: number, b: number) => Math.abs(a - b);
  const elements = values(10, 48, 58, 50, 45, 53);
  assert.deepEqual(evict(DeltaEvictor.of(5, distance), elements), {
    before: [50, 53],
    after: [10, 48, 58, 50, 45, 53],
  });
  assert.deepEqual(evict(DeltaEvictor.of(5, distance, true), elements).after, [50, 53]);
  assert.deepEqual(evict(DeltaEvictor.of(5, distance), []).before, []);
});

Deno.test("evictors check their parameters", () => {
  assert.throws(
    () => CountEvictor.of(0),
    /CountEvictor\.of: maxCount must be an integer >= 1, got 0/,
  );
  assert.throws(
    () => TimeEvictor.of(0),
    /TimeEvictor\.of: windowMs must be an integer > 0 \(milliseconds\), got 0/,
  );
  assert.throws(
    () => DeltaEvictor.of(NaN, () => 0),
    /DeltaEvictor\.of: threshold must be a number, got NaN/,
  );
});
