import assert from "node:assert/strict";
import { script } from "./_test_utils.ts";
import { BoundedOutOfOrdernessWatermarks } from "./bounded_out_of_orderness_watermarks.ts";

Deno.test("bounded: each periodic emit gives the highest timestamp - bound - 1", () => {
  script(() => new BoundedOutOfOrdernessWatermarks<string>(3), [
    [["periodic"], ["watermark -Infinity"]],
    [["event", "a", 10], []],
    [["periodic"], ["watermark 6"]],
    [["event", "b", 5], []],
    [["periodic"], ["watermark 6"]],
    [["event", "c", 20], []],
    [["event", "d", 18], []],
    [["periodic"], ["watermark 16"]],
  ]);
});

Deno.test("bounded by 0: trails the highest timestamp by 1 ms; late events do not lower it", () => {
  script(() => new BoundedOutOfOrdernessWatermarks<string>(0), [
    [["event", "a", 1], []],
    [["event", "b", 2], []],
    [["event", "c", 2], []],
    [["periodic"], ["watermark 1"]],
    [["event", "late", 0], []],
    [["periodic"], ["watermark 1"]],
  ]);
});

Deno.test("bounded: the bound must be an integer number of ms >= 0", () => {
  assert.equal(new BoundedOutOfOrdernessWatermarks(0).maxOutOfOrdernessMs, 0);
  assert.throws(
    () => new BoundedOutOfOrdernessWatermarks(-1),
    new RangeError("maxOutOfOrdernessMs must be an integer number of ms >= 0, got -1"),
  );
  for (const bad of [1.5, NaN, Infinity]) {
    assert.throws(() => new BoundedOutOfOrdernessWatermarks(bad), RangeError, `${bad}`);
  }
});
