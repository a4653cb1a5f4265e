import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { script } from "./_test_utils.ts";
import { TimeWindow } from "./time_window.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);

Deno.test("ProcessingTimeTrigger fires when processing time reaches maxTimestamp", () => {
  script(ProcessingTimeTrigger.create(), [
    [["processingTime", 2], []],
    [["element", "a", -1, w(0, 10)], []],
    [["timers"], ["processing [0, 10) @9"]],
    [["watermark", 50], []],
    [["processingTime", 8], []],
    [["processingTime", 12], ["FIRE [0, 10) @9"]],
    [["element", "b", -1, w(10, 20)], []],
    [["clear", w(10, 20)], []],
    [["timers"], []],
  ]);
});

Deno.test("ProcessingTimeTrigger: a merge re-registers the result's end unless it has passed", () => {
  script(ProcessingTimeTrigger.create(), [
    [["element", "a", -1, w(0, 10)], []],
    [["element", "b", -1, w(5, 15)], []],
    [["merge", w(0, 15), [w(0, 10), w(5, 15)]], []],
    [["timers"], ["processing [0, 15) @14"]],
    [["processingTime", 30], ["FIRE [0, 15) @14"]],
    [["merge", w(0, 20), [w(0, 15)]], []],
    [["timers"], []],
  ]);
});
