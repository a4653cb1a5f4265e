import assert from "node:assert/strict";
import { script } from "./_test_utils.ts";
import { BoundedOutOfOrdernessWatermarks } from "./bounded_out_of_orderness_watermarks.ts";
import type { WatermarkGenerator } from "./watermark.ts";
import { WatermarksWithIdleness } from "./watermarks_with_idleness.ts";

/** Idle after 100 ms without events, around a bound of 0. */
function idleAfter100(clock: () => number): WatermarkGenerator<string> {
  return new WatermarksWithIdleness(new BoundedOutOfOrdernessWatermarks(0), 100, clock);
}

Deno.test("idleness: idle once no event came for more than the timeout; an event reactivates", () => {
  script(idleAfter100, [
    [["event", "a", 10], []],
    [["periodic", 0], ["watermark 9"]],
    [["periodic", 50], ["watermark 9"]], // no event since the last emit: countdown from 50
    [["periodic", 150], ["watermark 9"]],
    [["periodic", 151], ["idle"]],
    [["periodic", 300], []], // idle once, no watermarks while idle
    [["event", "b", 20], ["active"]],
    [["event", "c", 30], []],
    [["periodic", 310], ["watermark 29"]],
  ]);
});

Deno.test("idleness: a stream that never gets an event turns idle after the timeout", () => {
  script(idleAfter100, [
    [["periodic", 0], ["watermark -Infinity"]],
    [["periodic", 100], ["watermark -Infinity"]],
    [["periodic", 101], ["idle"]],
  ]);
});

Deno.test("idleness: an event between two emits restarts the countdown, however far apart", () => {
  script(idleAfter100, [
    [["periodic", 0], ["watermark -Infinity"]],
    [["event", "a", 5], []],
    [["periodic", 500], ["watermark 4"]],
    [["event", "b", 6], []],
    [["periodic", 1_000], ["watermark 5"]],
    [["periodic", 1_050], ["watermark 5"]],
    [["periodic", 1_150], ["watermark 5"]],
    [["periodic", 1_151], ["idle"]],
  ]);
});

Deno.test("idleness: a punctuated generator's watermark follows the active mark", () => {
  const punctuated: WatermarkGenerator<string> = {
    onEvent: (_event, timestamp, output) => output.emitWatermark(timestamp),
    onPeriodicEmit() {},
  };
  script((clock) => new WatermarksWithIdleness(punctuated, 10, clock), [
    [["event", "a", 1], ["watermark 1"]],
    [["periodic", 0], []],
    [["periodic", 5], []],
    [["periodic", 16], ["idle"]],
    [["event", "b", 2], ["active", "watermark 2"]],
  ]);
});

Deno.test("idleness: the timeout must be an integer number of ms >= 1", () => {
  const inner = new BoundedOutOfOrdernessWatermarks(0);
  const clock = () => 0;
  assert.throws(
    () => new WatermarksWithIdleness(inner, 0, clock),
    new RangeError("idleTimeoutMs must be an integer number of ms >= 1, got 0"),
  );
  for (const bad of [-5, 2.5, NaN, Infinity]) {
    assert.throws(() => new WatermarksWithIdleness(inner, bad, clock), RangeError, `${bad}`);
  }
});
