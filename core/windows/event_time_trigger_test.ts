import { EventTimeTrigger } from "./event_time_trigger.ts";
import { script } from "./_test_utils.ts";
import { TimeWindow } from "./time_window.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);

Deno.test("EventTimeTrigger fires when the watermark reaches maxTimestamp, late elements at once", () => {
  script(EventTimeTrigger.create(), [
    [["element", "a", 3, w(0, 10)], []],
    [["timers"], ["event [0, 10) @9"]],
    [["element", "b", 5, w(0, 10)], []],
    [["timers"], ["event [0, 10) @9"]],
    [["watermark", 8], []],
    [["watermark", 9], ["FIRE [0, 10) @9"]],
    [["timers"], []],
    // Late but within the allowed lateness (the operator still has the window): fire at once.
    [["element", "c", 4, w(0, 10)], ["FIRE [0, 10)"]],
    [["timers"], []],
    [["element", "d", 12, w(10, 20)], []],
    [["watermark", 100], ["FIRE [10, 20) @19"]],
  ]);
});

Deno.test("EventTimeTrigger: clear deletes its timer", () => {
  script(EventTimeTrigger.create(), [
    [["element", "a", 3, w(0, 10)], []],
    [["clear", w(0, 10)], []],
    [["timers"], []],
    [["watermark", 20], []],
  ]);
});

Deno.test("EventTimeTrigger: a merge moves the timer to the merge result", () => {
  script(EventTimeTrigger.create(), [
    [["element", "a", 1, w(1, 6)], []],
    [["element", "b", 3, w(3, 8)], []],
    [["merge", w(1, 8), [w(1, 6), w(3, 8)]], []],
    [["timers"], ["event [1, 8) @7"]],
    [["watermark", 20], ["FIRE [1, 8) @7"]],
    // A merge result the watermark already passed gets no timer; its next element fires it.
    [["merge", w(1, 9), [w(1, 8)]], []],
    [["timers"], []],
    [["element", "c", 8, w(1, 9)], ["FIRE [1, 9)"]],
  ]);
});
