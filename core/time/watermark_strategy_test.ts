import assert from "node:assert/strict";
import { RecordingOutput, script } from "./_test_utils.ts";
import type { WatermarkGenerator } from "./watermark.ts";
import { WatermarkStrategy } from "./watermark_strategy.ts";

type Reading = { sensor: string; atMs: number };

/** A clock for strategies without idleness: they must never read it. */
const unreadClock = (): number => {
  throw new Error("the clock was read without an idle timeout");
};

Deno.test("forBoundedOutOfOrderness: events 10, 5, 20 with a bound of 3 emit 6, 6, 16", () => {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<string>(3);
  script(() => strategy.createGenerator(unreadClock), [
    [["periodic"], ["watermark -Infinity"]],
    [["event", "a", 10], []],
    [["periodic"], ["watermark 6"]],
    [["event", "b", 5], []],
    [["periodic"], ["watermark 6"]],
    [["event", "c", 20], []],
    [["periodic"], ["watermark 16"]],
  ]);
});

Deno.test("createGenerator: each call gives a fresh generator (one per source subtask)", () => {
  const strategy = WatermarkStrategy.forBoundedOutOfOrderness<string>(3);
  const first = strategy.createGenerator(unreadClock);
  const second = strategy.createGenerator(unreadClock);
  assert.notEqual(first, second);
  const output = new RecordingOutput();
  first.onEvent("a", 100, output);
  second.onPeriodicEmit(output);
  assert.deepEqual(output.take(), ["watermark -Infinity"]);
});

Deno.test("forMonotonousTimestamps: the watermark trails the highest timestamp by 1 ms", () => {
  script(() => WatermarkStrategy.forMonotonousTimestamps<string>().createGenerator(unreadClock), [
    [["event", "a", 1], []],
    [["event", "b", 2], []],
    [["event", "c", 5], []],
    [["periodic"], ["watermark 4"]],
  ]);
});

Deno.test("noWatermarks: nothing is ever emitted", () => {
  script(() => WatermarkStrategy.noWatermarks<string>().createGenerator(unreadClock), [
    [["periodic"], []],
    [["event", "a", 10], []],
    [["periodic"], []],
  ]);
});

Deno.test("forGenerator: a custom punctuated generator emits on its marker events", () => {
  const strategy = WatermarkStrategy.forGenerator<string>((): WatermarkGenerator<string> => ({
    onEvent: (event, timestamp, output) => {
      if (event === "tick") output.emitWatermark(timestamp);
    },
    onPeriodicEmit() {},
  }));
  script(() => strategy.createGenerator(unreadClock), [
    [["event", "a", 10], []],
    [["event", "tick", 12], ["watermark 12"]],
    [["periodic"], []],
  ]);
});

Deno.test("withTimestampAssigner: a new strategy; the original keeps record timestamps", () => {
  const base = WatermarkStrategy.forMonotonousTimestamps<Reading>();
  const assigned = base.withTimestampAssigner((reading, recordTimestamp) =>
    recordTimestamp ?? reading.atMs
  );
  assert.equal(base.timestampAssigner(), undefined);
  const assign = assigned.timestampAssigner()!;
  assert.equal(assign({ sensor: "s1", atMs: 7 }, undefined), 7);
  assert.equal(assign({ sensor: "s1", atMs: 7 }, 3), 3);
  assert.ok(Object.isFrozen(assigned));
});

Deno.test("withIdleness: the generator turns idle on the clock passed to createGenerator", () => {
  const assigner = (reading: Reading) => reading.atMs;
  const strategy = WatermarkStrategy.forMonotonousTimestamps<Reading>()
    .withIdleness(100)
    .withTimestampAssigner(assigner);
  assert.equal(strategy.idleTimeoutMs, 100);
  assert.equal(strategy.timestampAssigner(), assigner);
  assert.equal(WatermarkStrategy.noWatermarks().idleTimeoutMs, undefined);
  script((clock) => strategy.createGenerator(clock), [
    [["event", { sensor: "s1", atMs: 10 }, 10], []],
    [["periodic", 0], ["watermark 9"]],
    [["periodic", 10], ["watermark 9"]],
    [["periodic", 111], ["idle"]],
    [["event", { sensor: "s1", atMs: 20 }, 20], ["active"]],
    [["periodic", 120], ["watermark 19"]],
  ]);
});

Deno.test("strategies reject a bad bound or idle timeout at once, naming the value", () => {
  assert.throws(
    () => WatermarkStrategy.forBoundedOutOfOrderness(-3),
    new RangeError("maxOutOfOrdernessMs must be an integer number of ms >= 0, got -3"),
  );
  assert.throws(() => WatermarkStrategy.forBoundedOutOfOrderness(0.5), /got 0.5/);
  assert.throws(
    () => WatermarkStrategy.forMonotonousTimestamps().withIdleness(0),
    new RangeError("idleTimeoutMs must be an integer number of ms >= 1, got 0"),
  );
  assert.throws(() => WatermarkStrategy.noWatermarks().withIdleness(NaN), /got NaN/);
});

Deno.test("withWatermarkAlignment: keeps the strategy's parts, checks its arguments", () => {
  const s = WatermarkStrategy.forBoundedOutOfOrderness<{ t: number }>(10)
    .withTimestampAssigner((e) => e.t)
    .withIdleness(500)
    .withWatermarkAlignment("g", 1000);
  assert.deepEqual(s.alignment, { group: "g", maxDriftMs: 1000, updateIntervalMs: 200 });
  assert.equal(s.idleTimeoutMs, 500);
  assert.equal(s.timestampAssigner()!({ t: 7 }, 0), 7);
  // Later withs keep the alignment.
  assert.equal(s.withIdleness(9).alignment?.group, "g");
  assert.throws(() => s.withWatermarkAlignment("", 1), /group must be a non-empty string/);
  assert.throws(() => s.withWatermarkAlignment("g", -1), /maxDriftMs must be an integer/);
  assert.throws(() => s.withWatermarkAlignment("g", 1, 0), /updateIntervalMs must be an integer/);
});
