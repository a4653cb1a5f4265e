import assert from "node:assert/strict";
import { CountTrigger } from "./count_trigger.ts";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { NeverTrigger } from "./never_trigger.ts";
import { PurgingTrigger } from "./purging_trigger.ts";
import { script } from "./_test_utils.ts";
import { TimeWindow } from "./time_window.ts";
import type { Window } from "../api/window.ts";
import { type Trigger, TriggerResult } from "./triggers.ts";

const win = new TimeWindow(0, 10);

Deno.test("PurgingTrigger turns FIRE into FIRE_AND_PURGE", () => {
  script(PurgingTrigger.of(CountTrigger.of(2)), [
    [["element", "a", 1, win], []],
    [["element", "b", 2, win], ["FIRE_AND_PURGE [0, 10)"]],
    [["element", "c", 3, win], []],
  ]);
  script(PurgingTrigger.of(EventTimeTrigger.create()), [
    [["element", "a", 1, win], []],
    [["watermark", 9], ["FIRE_AND_PURGE [0, 10) @9"]],
    [["element", "late", 2, win], ["FIRE_AND_PURGE [0, 10)"]],
  ]);
});

Deno.test("PurgingTrigger passes CONTINUE and PURGE through, and delegates merge and clear", () => {
  const purgeOnElement: Trigger<unknown, Window> = {
    canMerge: false,
    onElement: () => TriggerResult.PURGE,
    onEventTime: () => TriggerResult.CONTINUE,
    onProcessingTime: () => TriggerResult.CONTINUE,
    clear: () => {},
  };
  assert.equal(PurgingTrigger.of(purgeOnElement).canMerge, false);
  script(PurgingTrigger.of(purgeOnElement), [[["element", "a", 1, win], ["PURGE [0, 10)"]]]);
  assert.equal(PurgingTrigger.of(NeverTrigger.create()).canMerge, true);
  script(PurgingTrigger.of(EventTimeTrigger.create()), [
    [["element", "a", 1, new TimeWindow(0, 5)], []],
    [["merge", win, [new TimeWindow(0, 5)]], []],
    [["timers"], ["event [0, 10) @9"]],
    [["clear", win], []],
    [["timers"], []],
  ]);
  assert.equal(
    String(PurgingTrigger.of(CountTrigger.of(2))),
    "PurgingTrigger(CountTrigger(2))",
  );
});
