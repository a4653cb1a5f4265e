import assert from "node:assert/strict";
import { StatusWatermarkValve, type ValveEffect } from "./watermark_valve.ts";

/** One input fed to the valve, as data. */
type Input =
  | readonly ["watermark", number, number] // channel, watermark
  | readonly ["idle", number] // channel
  | readonly ["active", number] // channel
  | readonly ["end", number]; // channel

/** Effects as short strings, so a script reads as a table. */
function show(e: ValveEffect): string {
  return e.type === "watermark" ? `watermark ${e.watermark}` : e.type;
}

function apply(valve: StatusWatermarkValve, input: Input): readonly ValveEffect[] {
  switch (input[0]) {
    case "watermark":
      return valve.inputWatermark(input[1], input[2]);
    case "idle":
      return valve.inputIdle(input[1]);
    case "active":
      return valve.inputActive(input[1]);
    case "end":
      return valve.inputEnded(input[1]);
  }
}

/** Feeds each input to a fresh valve and checks the effects it returns. */
function script(channels: number, steps: [Input, string[]][]): StatusWatermarkValve {
  const valve = new StatusWatermarkValve(channels);
  for (const [input, expected] of steps) {
    assert.deepEqual(apply(valve, input).map(show), expected, `after ${JSON.stringify(input)}`);
  }
  return valve;
}

Deno.test("valve: the output is the lowest channel watermark and never goes back", () => {
  const valve = script(2, [
    [["watermark", 0, 5], []],
    [["watermark", 1, 3], ["watermark 3"]],
    [["watermark", 1, 8], ["watermark 5"]],
    [["watermark", 0, 7], ["watermark 7"]],
    [["watermark", 0, 9], ["watermark 8"]],
    [["watermark", 1, 8], []],
  ]);
  assert.equal(valve.outputWatermark, 8);
  assert.equal(valve.idle, false);
});

Deno.test("valve: a watermark below its channel's previous one is ignored", () => {
  script(2, [
    [["watermark", 0, 10], []],
    [["watermark", 1, 10], ["watermark 10"]],
    [["watermark", 0, 4], []],
    [["watermark", 1, 12], []], // channel 0 is still at 10, not 4
    [["watermark", 0, 11], ["watermark 11"]],
  ]);
});

Deno.test("valve: an idle channel does not hold the output back; its watermarks are stale", () => {
  script(2, [
    [["watermark", 0, 5], []],
    [["watermark", 1, 3], ["watermark 3"]],
    [["idle", 1], ["watermark 5"]],
    [["idle", 1], []],
    [["watermark", 0, 9], ["watermark 9"]],
    [["watermark", 1, 100], []],
  ]);
});

Deno.test("valve: a channel back from idleness counts only once it catches up", () => {
  script(2, [
    [["watermark", 0, 5], []],
    [["watermark", 1, 3], ["watermark 3"]],
    [["idle", 1], ["watermark 5"]],
    [["watermark", 0, 9], ["watermark 9"]],
    [["active", 1], []], // at 3, behind the output: not counted
    [["active", 1], []],
    [["watermark", 0, 20], ["watermark 20"]],
    [["watermark", 1, 15], []],
    [["watermark", 1, 25], []], // caught up: counted from now on
    [["watermark", 0, 30], ["watermark 25"]],
  ]);
});

Deno.test("valve: all channels idle flushes the highest watermark, then idle; one active again", () => {
  const valve = script(2, [
    [["watermark", 0, 4], []],
    [["watermark", 1, 10], ["watermark 4"]],
    [["idle", 1], []],
    [["idle", 0], ["watermark 10", "idle"]],
    [["active", 0], ["active"]], // at 4: behind the output, which stays at 10
    [["watermark", 0, 8], []],
    [["watermark", 0, 12], ["watermark 12"]],
    [["idle", 0], ["idle"]],
    [["active", 1], ["active"]],
    [["watermark", 1, 11], []],
    [["watermark", 1, 13], ["watermark 13"]],
  ]);
  assert.equal(valve.idle, false);
});

Deno.test("valve: three channels, statuses and watermarks interleaved", () => {
  script(3, [
    [["watermark", 0, 10], []],
    [["watermark", 1, 20], []],
    [["watermark", 2, 30], ["watermark 10"]],
    [["idle", 0], ["watermark 20"]],
    [["idle", 1], ["watermark 30"]],
    [["watermark", 2, 35], ["watermark 35"]],
    [["active", 1], []], // at 20, behind 35
    [["watermark", 1, 40], []], // caught up; channel 2 is lowest
    [["watermark", 2, 50], ["watermark 40"]],
    [["idle", 2], []],
    [["idle", 1], ["watermark 50", "idle"]],
    [["active", 0], ["active"]],
    [["watermark", 0, 60], ["watermark 60"]],
  ]);
});

Deno.test("valve: ended channels never hold the output back; all ended gives +Infinity", () => {
  const valve = script(3, [
    [["watermark", 0, 5], []],
    [["watermark", 1, 7], []],
    [["watermark", 2, 6], ["watermark 5"]],
    [["end", 0], ["watermark 6"]],
    [["end", 2], ["watermark 7"]],
    [["end", 2], []],
    [["watermark", 1, 9], ["watermark 9"]],
    [["end", 1], ["watermark Infinity"]],
  ]);
  assert.equal(valve.outputWatermark, Infinity);
});

Deno.test("valve: an ended channel does not lift idle ones to +Infinity", () => {
  const valve = script(2, [
    [["watermark", 0, 3], []],
    [["watermark", 1, 5], ["watermark 3"]],
    [["idle", 0], ["watermark 5"]],
    [["end", 1], ["idle"]], // channel 0 at 3 is all that is left, and idle
    [["end", 0], ["active", "watermark Infinity"]],
  ]);
  assert.equal(valve.idle, false);
});

Deno.test("valve: one channel passes its watermarks and statuses through", () => {
  script(1, [
    [["watermark", 0, 1], ["watermark 1"]],
    [["watermark", 0, 1], []],
    [["idle", 0], ["idle"]],
    [["active", 0], ["active"]],
    [["watermark", 0, 2], ["watermark 2"]],
    [["end", 0], ["watermark Infinity"]],
  ]);
});

Deno.test("valve: misuse fails loudly, naming the input", () => {
  assert.throws(
    () => new StatusWatermarkValve(0),
    new RangeError("a watermark valve needs an integer >= 1 of channels, got 0"),
  );
  assert.throws(() => new StatusWatermarkValve(1.5), RangeError);
  const valve = new StatusWatermarkValve(2);
  assert.throws(() => valve.inputWatermark(2, 0), /channel 2 out of range: this task has 2/);
  assert.throws(() => valve.inputIdle(-1), /channel -1 out of range/);
  assert.throws(() => valve.inputWatermark(0, NaN), /watermark on channel 0 is NaN/);
  valve.inputEnded(1);
  assert.throws(() => valve.inputWatermark(1, 5), /a watermark on channel 1 after its end/);
  assert.throws(() => valve.inputActive(1), /an active status on channel 1 after its end/);
});
