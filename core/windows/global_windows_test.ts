import assert from "node:assert/strict";
import { GlobalWindows } from "./global_windows.ts";
import { script } from "./_test_utils.ts";
import { GlobalWindow } from "./time_window.ts";
import { isMergingWindowAssigner } from "./window_assigners.ts";

Deno.test("global windows: every element in the one window, whose default trigger never fires", () => {
  const assigner = GlobalWindows.create();
  const ctx = { currentProcessingTime: 5 };
  assert.deepEqual(assigner.assignWindows("a", 1, ctx), [GlobalWindow.get()]);
  assert.equal(assigner.assignWindows("b", -7, ctx)[0], GlobalWindow.get());
  assert.equal(isMergingWindowAssigner(assigner), false);
  const g = GlobalWindow.get();
  script(assigner.defaultTrigger(), [
    [["element", "a", 1, g], []],
    [["watermark", Number.MAX_SAFE_INTEGER], []],
    [["processingTime", Number.MAX_SAFE_INTEGER], []],
    [["timers"], []],
  ]);
});
