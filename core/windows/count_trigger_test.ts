import assert from "node:assert/strict";
import { CountTrigger } from "./count_trigger.ts";
import { script } from "./_test_utils.ts";
import { TimeWindow } from "./time_window.ts";

const a = new TimeWindow(0, 10);
const b = new TimeWindow(20, 30);
const merged = new TimeWindow(0, 30);

Deno.test("CountTrigger fires every n elements and counts again from zero", () => {
  script(CountTrigger.of(3), [
    [["element", "x", 1, a], []],
    [["element", "x", 2, a], []],
    [["state", a], ["count=2"]],
    [["element", "x", 3, a], ["FIRE [0, 10)"]],
    [["state", a], []],
    [["element", "x", 4, a], []],
    [["element", "y", 21, b], []],
    [["element", "x", 5, a], []],
    [["element", "x", 6, a], ["FIRE [0, 10)"]],
    [["watermark", 100], []],
    [["processingTime", 100], []],
    [["timers"], []],
    [["state", b], ["count=1"]],
    [["clear", b], []],
    [["state", b], []],
  ]);
});

Deno.test("CountTrigger: merged windows add their counts", () => {
  script(CountTrigger.of(4), [
    [["element", "x", 1, a], []],
    [["element", "x", 2, a], []],
    [["element", "y", 21, b], []],
    [["merge", merged, [a, b]], []],
    [["state", merged], ["count=3"]],
    [["state", a], []],
    [["element", "z", 5, merged], ["FIRE [0, 30)"]],
  ]);
});

Deno.test("CountTrigger.of needs a count >= 1", () => {
  assert.throws(
    () => CountTrigger.of(0),
    /CountTrigger\.of: maxCount must be an integer >= 1, got 0/,
  );
  assert.throws(() => CountTrigger.of(2.5), /got 2.5/);
  assert.equal(String(CountTrigger.of(7)), "CountTrigger(7)");
});
