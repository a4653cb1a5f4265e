import assert from "node:assert/strict";
import { getWindowStartWithOffset, GlobalWindow, TimeWindow } from "./time_window.ts";

/** Flink's formula in Java long arithmetic (BigInt `%` truncates like Java's). */
function flinkWindowStart(timestamp: number, offset: number, size: number): number {
  const [t, o, s] = [BigInt(timestamp), BigInt(offset), BigInt(size)];
  const remainder = (t - o) % s;
  return Number(remainder < 0n ? t - (remainder + s) : t - remainder);
}

Deno.test("getWindowStartWithOffset equals Flink's formula, negative timestamps and offsets too", () => {
  for (const size of [1, 3, 5, 1_000]) {
    for (const offset of [0, 1, -1, size - 1, -(size - 1)]) {
      for (let ts = -2_050; ts <= 2_050; ts += 7) {
        const start = getWindowStartWithOffset(ts, offset, size);
        assert.equal(start, flinkWindowStart(ts, offset, size), `ts ${ts} offset ${offset}`);
        assert.ok(start <= ts && ts < start + size, `ts ${ts} in [${start}, ${start + size})`);
      }
    }
  }
});

Deno.test("getWindowStartWithOffset: known values", () => {
  assert.equal(getWindowStartWithOffset(0, 0, 5_000), 0);
  assert.equal(getWindowStartWithOffset(4_999, 0, 5_000), 0);
  assert.equal(getWindowStartWithOffset(5_000, 0, 5_000), 5_000);
  assert.equal(getWindowStartWithOffset(-1, 0, 5_000), -5_000);
  assert.equal(getWindowStartWithOffset(-5_000, 0, 5_000), -5_000);
  assert.equal(getWindowStartWithOffset(-5_001, 0, 5_000), -10_000);
  assert.equal(getWindowStartWithOffset(99, 100, 5_000), -4_900);
  assert.equal(getWindowStartWithOffset(100, 100, 5_000), 100);
  assert.equal(getWindowStartWithOffset(4_899, -100, 5_000), -100);
  // 0, never -0 (-0 - 0 is -0 in JavaScript; it would print and compare differently).
  assert.ok(Object.is(getWindowStartWithOffset(-0, -5, 5), 0));
});

Deno.test("TimeWindow: end exclusive, intersects includes touching, cover, equals, key", () => {
  const w = new TimeWindow(0, 10);
  assert.equal(w.maxTimestamp(), 9);
  assert.ok(w.intersects(new TimeWindow(10, 20)), "touching windows intersect (sessions merge)");
  assert.ok(w.intersects(new TimeWindow(-5, 0)));
  assert.ok(w.intersects(new TimeWindow(3, 4)));
  assert.ok(!w.intersects(new TimeWindow(11, 20)));
  assert.ok(w.cover(new TimeWindow(15, 20)).equals(new TimeWindow(0, 20)));
  assert.ok(w.equals(new TimeWindow(0, 10)));
  assert.ok(!w.equals(new TimeWindow(0, 11)));
  assert.equal(w.key, new TimeWindow(0, 10).key);
  assert.notEqual(w.key, new TimeWindow(1, 10).key);
  assert.equal(new TimeWindow(-0, 5).key, new TimeWindow(0, 5).key);
  assert.equal(String(w), "[0, 10)");
  assert.deepEqual(w.toData(), { start: 0, end: 10 });
  assert.ok(TimeWindow.from({ start: 0, end: 10 }).equals(w));
});

Deno.test("TimeWindow rejects empty, reversed and non-finite intervals", () => {
  assert.throws(() => new TimeWindow(5, 5), /finite start < end, got \[5, 5\)/);
  assert.throws(() => new TimeWindow(5, 1), RangeError);
  assert.throws(() => new TimeWindow(NaN, 1), RangeError);
});

Deno.test("TimeWindow.mergeWindows merges intersecting windows in start order", () => {
  const calls: string[] = [];
  const windows = [[10, 15], [1, 6], [20, 25], [3, 8], [15, 18], [30, 31], [30, 31]]
    .map(([s, e]) => new TimeWindow(s, e));
  TimeWindow.mergeWindows(windows, (merged, result) => {
    calls.push(`${merged.join(" ")} -> ${result}`);
  });
  assert.deepEqual(calls, [
    "[1, 6) [3, 8) -> [1, 8)",
    "[10, 15) [15, 18) -> [10, 18)",
    // [20, 25) alone and the duplicate [30, 31) merge nothing
  ]);
});

Deno.test("GlobalWindow is one instance that no watermark before the end passes", () => {
  assert.equal(GlobalWindow.get(), GlobalWindow.get());
  assert.equal(GlobalWindow.get().maxTimestamp(), Number.MAX_SAFE_INTEGER);
  assert.equal(GlobalWindow.get().key, "global");
});
