import assert from "node:assert/strict";
import {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
} from "./continuous_triggers.ts";
import { script } from "./_test_utils.ts";
import { TimeWindow } from "./time_window.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);

Deno.test("ContinuousEventTimeTrigger fires every interval, aligned to it, and at the window end", () => {
  const win = w(0, 35);
  script(ContinuousEventTimeTrigger.of(10), [
    [["element", "a", 13, win], []],
    [["timers"], ["event [0, 35) @20", "event [0, 35) @34"]],
    [["element", "b", 17, win], []],
    [["state", win], ["fire-time=20"]],
    [["watermark", 19], []],
    [["watermark", 25], ["FIRE [0, 35) @20"]],
    [["timers"], ["event [0, 35) @30", "event [0, 35) @34"]],
    // The next firing is capped at the window end: one timer, one firing there.
    [["watermark", 40], ["FIRE [0, 35) @30", "FIRE [0, 35) @34"]],
    [["timers"], []],
    [["element", "late", 20, win], ["FIRE [0, 35)"]],
    [["clear", win], []],
    [["state", win], []],
  ]);
});

Deno.test("ContinuousEventTimeTrigger aligns negative timestamps to the interval below", () => {
  script(ContinuousEventTimeTrigger.of(10), [
    [["element", "a", -13, w(-40, 0)], []],
    [["timers"], ["event [-40, 0) @-10", "event [-40, 0) @-1"]],
    [["watermark", -10], ["FIRE [-40, 0) @-10"]],
    [["watermark", 0], ["FIRE [-40, 0) @-1"]],
  ]);
});

Deno.test("ContinuousEventTimeTrigger: clear deletes both its timers", () => {
  script(ContinuousEventTimeTrigger.of(10), [
    [["element", "a", 3, w(0, 100)], []],
    [["timers"], ["event [0, 100) @10", "event [0, 100) @99"]],
    [["clear", w(0, 100)], []],
    [["timers"], []],
    [["watermark", 200], []],
  ]);
});

Deno.test("ContinuousEventTimeTrigger: merged windows keep the earliest next firing", () => {
  script(ContinuousEventTimeTrigger.of(10), [
    [["element", "a", 13, w(0, 35)], []],
    [["element", "b", 33, w(30, 65)], []],
    [["merge", w(0, 65), [w(0, 35), w(30, 65)]], []],
    [["state", w(0, 65)], ["fire-time=20"]],
    [["timers"], ["event [0, 65) @20", "event [0, 65) @64"]],
    [["watermark", 30], ["FIRE [0, 65) @20", "FIRE [0, 65) @30"]],
  ]);
});

Deno.test("ContinuousProcessingTimeTrigger fires every interval until the window end", () => {
  const win = w(0, 35);
  script(ContinuousProcessingTimeTrigger.of(10), [
    [["processingTime", 13], []],
    [["element", "a", -1, win], []],
    [["timers"], ["processing [0, 35) @20"]],
    [["watermark", 1_000], []],
    [["processingTime", 20], ["FIRE [0, 35) @20"]],
    [["timers"], ["processing [0, 35) @30"]],
    [["processingTime", 36], ["FIRE [0, 35) @30", "FIRE [0, 35) @34"]],
    [["timers"], []],
    // Done: a later element schedules nothing.
    [["element", "b", -1, win], []],
    [["timers"], []],
    [["clear", win], []],
    [["state", win], []],
  ]);
});

Deno.test("ContinuousProcessingTimeTrigger: clear deletes its timer", () => {
  script(ContinuousProcessingTimeTrigger.of(10), [
    [["processingTime", 5], []],
    [["element", "a", -1, w(0, 100)], []],
    [["timers"], ["processing [0, 100) @10"]],
    [["clear", w(0, 100)], []],
    [["timers"], []],
    [["processingTime", 50], []],
  ]);
});

Deno.test("ContinuousProcessingTimeTrigger: merged windows keep the earliest next firing", () => {
  script(ContinuousProcessingTimeTrigger.of(10), [
    [["processingTime", 12], []],
    [["element", "a", -1, w(0, 25)], []],
    [["processingTime", 22], ["FIRE [0, 25) @20"]],
    [["state", w(0, 25)], ["fire-time=24"]],
    [["element", "b", -1, w(20, 100)], []],
    [["state", w(20, 100)], ["fire-time=30"]],
    [["merge", w(0, 100), [w(0, 25), w(20, 100)]], []],
    [["timers"], ["processing [0, 100) @24"]],
    [["processingTime", 24], ["FIRE [0, 100) @24"]],
    [["timers"], ["processing [0, 100) @34"]],
  ]);
});

Deno.test("continuous triggers need an interval > 0", () => {
  assert.throws(
    () => ContinuousEventTimeTrigger.of(0),
    /ContinuousEventTimeTrigger\.of: intervalMs must be an integer > 0 \(milliseconds\), got 0/,
  );
  assert.throws(() => ContinuousProcessingTimeTrigger.of(-5), /got -5/);
});
