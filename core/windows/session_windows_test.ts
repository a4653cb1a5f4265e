import assert from "node:assert/strict";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { EventTimeSessionWindows, ProcessingTimeSessionWindows } from "./session_windows.ts";
import { TimeWindow } from "./time_window.ts";
import { isMergingWindowAssigner } from "./window_assigners.ts";

const at = (nowMs: number) => ({ currentProcessingTime: nowMs });

Deno.test("event-time sessions: each element opens [t, t + gap) and the assigner merges", () => {
  const w = EventTimeSessionWindows.withGap(5);
  assert.deepEqual(w.assignWindows("e", 1, at(0)).map(String), ["[1, 6)"]);
  assert.deepEqual(w.assignWindows("e", -3, at(0)).map(String), ["[-3, 2)"]);
  assert.equal(w.isEventTime, true);
  assert.ok(isMergingWindowAssigner(w));
  assert.ok(w.defaultTrigger() instanceof EventTimeTrigger);
  const merges: string[] = [];
  w.mergeWindows(
    [new TimeWindow(10, 15), new TimeWindow(1, 6), new TimeWindow(3, 8)],
    (merged, result) => merges.push(`${merged.join(" ")} -> ${result}`),
  );
  assert.deepEqual(merges, ["[1, 6) [3, 8) -> [1, 8)"]);
  assert.throws(
    () => w.assignWindows("e", NaN, at(0)),
    /EventTimeSessionWindows\(5\) got a record/,
  );
});

Deno.test("event-time sessions with a dynamic gap take the gap from each element", () => {
  type Click = { user: string; premium: boolean };
  const w = EventTimeSessionWindows.withDynamicGap((c: Click) => c.premium ? 100 : 10);
  assert.deepEqual(w.assignWindows({ user: "a", premium: true }, 50, at(0)).map(String), [
    "[50, 150)",
  ]);
  assert.deepEqual(w.assignWindows({ user: "b", premium: false }, 50, at(0)).map(String), [
    "[50, 60)",
  ]);
  const bad = EventTimeSessionWindows.withDynamicGap((gap: number) => gap);
  assert.throws(
    () => bad.assignWindows(0, 7, at(0)),
    /DynamicEventTimeSessionWindows\(\): the session gap of an element must be an integer > 0 \(milliseconds\), got 0/,
  );
  assert.throws(() => bad.assignWindows(-4, 7, at(0)), /got -4/);
});

Deno.test("processing-time sessions open [now, now + gap)", () => {
  const w = ProcessingTimeSessionWindows.withGap(30_000);
  assert.deepEqual(w.assignWindows("e", 7, at(1_000)).map(String), ["[1000, 31000)"]);
  assert.equal(w.isEventTime, false);
  assert.ok(isMergingWindowAssigner(w));
  assert.ok(w.defaultTrigger() instanceof ProcessingTimeTrigger);
  const dynamic = ProcessingTimeSessionWindows.withDynamicGap((s: string) => s.length);
  assert.deepEqual(dynamic.assignWindows("abc", 0, at(10)).map(String), ["[10, 13)"]);
});

Deno.test("sessions: gap > 0, or a RangeError naming the value", () => {
  assert.throws(
    () => EventTimeSessionWindows.withGap(0),
    /^RangeError: EventTimeSessionWindows\.withGap: gapMs must be an integer > 0 \(milliseconds\), got 0/,
  );
  assert.throws(() => EventTimeSessionWindows.withGap(-1), /got -1/);
  assert.throws(
    () => ProcessingTimeSessionWindows.withGap(0),
    /ProcessingTimeSessionWindows\.withGap/,
  );
});
