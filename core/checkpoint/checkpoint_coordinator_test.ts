import assert from "node:assert/strict";
import {
  CheckpointCoordinator,
  type CheckpointCoordinatorOptions,
} from "./checkpoint_coordinator.ts";
import type { CheckpointEffect } from "./checkpoint_effects.ts";

/** One event fed to the coordinator, as data. */
type Event =
  | readonly ["tick", number]
  | readonly ["savepoint", number, string?]
  | readonly ["ack", string, number, number]
  | readonly ["decline", string, number, number]
  | readonly ["finished", string, number]
  | readonly ["reset", number]
  | readonly ["deployed"];

function apply(c: CheckpointCoordinator, e: Event): CheckpointEffect[] {
  switch (e[0]) {
    case "tick":
      return c.tick(e[1]);
    case "savepoint":
      return c.triggerSavepoint(e[1], e[2]);
    case "ack":
      return c.acknowledge(e[1], e[2], `${e[1]}@${e[2]}`, e[3]);
    case "decline":
      return c.decline(e[1], e[2], "disk full", e[3]);
    case "finished":
      return c.taskFinished(e[1], e[2]);
    case "reset":
      return c.reset(e[1]);
    case "deployed":
      c.setTasks(["src", "map", "sink"], ["src"]);
      return [];
  }
}

/** Effects as short strings, so a script reads as a table. */
function show(e: CheckpointEffect): string {
  switch (e.type) {
    case "trigger":
      return `trigger ${e.checkpointId} ${e.kind} @${e.timestampMs} -> ${e.sources.join(",")}`;
    case "complete":
      return `complete ${e.checkpoint.id}`;
    case "notifyComplete":
      return `notify ${e.checkpointId}`;
    case "abort":
      return `abort ${e.checkpointId}`;
    case "failJob":
      return "failJob";
  }
}

/** Feeds each event and checks the effects it returns. */
function script(c: CheckpointCoordinator, steps: [Event, string[]][]): void {
  for (const [event, expected] of steps) {
    assert.deepEqual(apply(c, event).map(show), expected, `after ${JSON.stringify(event)}`);
  }
}

function coordinator(options: Partial<CheckpointCoordinatorOptions> = {}): CheckpointCoordinator {
  const c = new CheckpointCoordinator({ intervalMs: 1000, ...options });
  c.setTasks(["src", "map", "sink"], ["src"]);
  return c;
}

const ACK_ALL_1: [Event, string[]][] = [
  [["ack", "src", 1, 1010], []],
  [["ack", "map", 1, 1020], []],
  [["ack", "sink", 1, 1030], ["complete 1", "notify 1"]],
];

Deno.test("periodic checkpoints trigger every interval after the first tick", () => {
  script(coordinator(), [
    [["tick", 0], []],
    [["tick", 999], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    ...ACK_ALL_1,
    [["tick", 1999], []],
    [["tick", 2000], ["trigger 2 checkpoint @2000 -> src"]],
  ]);
});

Deno.test("a completed checkpoint carries the handles by task id", () => {
  const c = coordinator();
  c.tick(0);
  c.tick(1000);
  c.acknowledge("src", 1, { offset: 7 }, 1100);
  c.acknowledge("map", 1, undefined, 1150);
  const [complete] = c.acknowledge("sink", 1, "s", 1200);
  assert.equal(complete.type, "complete");
  assert.deepEqual(complete.checkpoint, {
    id: 1,
    kind: "checkpoint",
    triggerTimestampMs: 1000,
    completionTimestampMs: 1200,
    durationMs: 200,
    handles: new Map<string, unknown>([["src", { offset: 7 }], ["map", undefined], ["sink", "s"]]),
    finishedTasks: [],
  });
});

Deno.test("min pause counts from the last completion", () => {
  script(coordinator({ minPauseMs: 800 }), [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["ack", "src", 1, 1500], []],
    [["ack", "map", 1, 1500], []],
    [["ack", "sink", 1, 1500], ["complete 1", "notify 1"]],
    [["tick", 2000], []],
    [["tick", 2299], []],
    [["tick", 2300], ["trigger 2 checkpoint @2300 -> src"]],
  ]);
});

Deno.test("max concurrent holds periodic triggers back until a slot frees", () => {
  script(coordinator({ maxConcurrent: 2 }), [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["tick", 2000], ["trigger 2 checkpoint @2000 -> src"]],
    [["tick", 3000], []],
    [["ack", "src", 2, 3100], []],
    [["ack", "map", 2, 3100], []],
    [["ack", "sink", 2, 3100], ["complete 2", "notify 2", "abort 1"]],
    [["tick", 3200], ["trigger 3 checkpoint @3200 -> src"]],
  ]);
});

Deno.test("an overdue checkpoint expires, counts as a failure, and frees the slot", () => {
  const c = coordinator({ timeoutMs: 500, tolerableFailures: 1 });
  script(c, [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["ack", "src", 1, 1100], []],
    [["tick", 1500], ["abort 1"]],
    [["ack", "map", 1, 1600], []],
    [["tick", 2000], ["trigger 2 checkpoint @2000 -> src"]],
  ]);
  const [first] = c.history();
  assert.equal(first.status, "FAILED");
  assert.equal(first.acknowledged, 1);
  assert.match(first.failureReason!, /expired after 500 ms without acks from map, sink/);
});

Deno.test("a decline aborts the checkpoint; later acks for it are ignored", () => {
  script(coordinator({ tolerableFailures: 5 }), [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["ack", "src", 1, 1010], []],
    [["decline", "map", 1, 1020], ["abort 1"]],
    [["ack", "sink", 1, 1030], []],
    [["decline", "sink", 1, 1040], []],
  ]);
});

Deno.test("more consecutive failures than tolerated fail the job; a success resets it", () => {
  script(coordinator({ tolerableFailures: 1 }), [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["decline", "src", 1, 1001], ["abort 1"]],
    [["tick", 2000], ["trigger 2 checkpoint @2000 -> src"]],
    [["ack", "src", 2, 2001], []],
    [["ack", "map", 2, 2001], []],
    [["ack", "sink", 2, 2001], ["complete 2", "notify 2"]],
    [["tick", 3001], ["trigger 3 checkpoint @3001 -> src"]],
    [["decline", "map", 3, 3002], ["abort 3"]],
    [["tick", 4001], ["trigger 4 checkpoint @4001 -> src"]],
    [["decline", "sink", 4, 4002], ["abort 4", "failJob"]],
  ]);
});

Deno.test("unknown, duplicate and future acks are ignored", () => {
  script(coordinator(), [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["ack", "nobody", 1, 1001], []],
    [["ack", "src", 7, 1001], []],
    [["ack", "src", 1, 1002], []],
    [["ack", "src", 1, 1003], []],
    [["ack", "map", 1, 1004], []],
    [["ack", "sink", 1, 1005], ["complete 1", "notify 1"]],
    [["ack", "sink", 1, 1006], []],
  ]);
});

Deno.test("finished tasks need not ack; finished sources get no triggers", () => {
  const c = new CheckpointCoordinator({ intervalMs: 1000 });
  c.setTasks(["a", "b", "sink"], ["a", "b"]);
  script(c, [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> a,b"]],
    [["ack", "a", 1, 1001], []],
    [["ack", "sink", 1, 1002], []],
    [["finished", "b", 1003], ["complete 1", "notify 1"]],
    [["tick", 2003], ["trigger 2 checkpoint @2003 -> a"]],
    [["finished", "a", 2004], []],
    [["ack", "sink", 2, 2005], ["complete 2", "notify 2"]],
    [["tick", 5000], []],
    [["savepoint", 5000], ["abort 3"]],
  ]);
  assert.deepEqual(c.history().map((s) => s.status), ["COMPLETED", "COMPLETED", "FAILED"]);
  // A task that finished while awaited counts as acknowledged (with no state).
  assert.deepEqual(
    c.history().slice(0, 2).map((s) => [s.acknowledged, s.totalTasks]),
    [[3, 3], [2, 2]],
  );
});

Deno.test("a savepoint triggers at once beside a pending checkpoint and subsumes it", () => {
  const c = coordinator();
  script(c, [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    [["savepoint", 1100, "/tmp/sp"], ["trigger 2 savepoint @1100 -> src"]],
    [["tick", 2000], []],
    [["ack", "src", 2, 2100], []],
    [["ack", "map", 2, 2100], []],
    [["ack", "sink", 2, 2100], ["complete 2", "notify 2", "abort 1"]],
  ]);
  const savepoint = c.history().find((s) => s.id === 2)!;
  assert.equal(savepoint.kind, "savepoint");
  assert.equal(savepoint.durationMs, 1000);
});

Deno.test("a newer checkpoint completing does not subsume an older savepoint", () => {
  script(coordinator({ maxConcurrent: 2 }), [
    [["tick", 0], []],
    [["savepoint", 500], ["trigger 1 savepoint @500 -> src"]],
    [["tick", 1000], ["trigger 2 checkpoint @1000 -> src"]],
    [["ack", "src", 2, 1100], []],
    [["ack", "map", 2, 1100], []],
    [["ack", "sink", 2, 1100], ["complete 2", "notify 2"]],
    [["ack", "src", 1, 1200], []],
    [["ack", "map", 1, 1200], []],
    [["ack", "sink", 1, 1200], ["complete 1", "notify 1"]],
  ]);
});

Deno.test("a failed savepoint never fails the job", () => {
  script(coordinator({ timeoutMs: 100 }), [
    [["savepoint", 0], ["trigger 1 savepoint @0 -> src"]],
    [["tick", 100], ["abort 1"]],
    [["savepoint", 200], ["trigger 2 savepoint @200 -> src"]],
    [["decline", "map", 2, 210], ["abort 2"]],
  ]);
});

Deno.test("numbering continues after the checkpoint a job was restored from", () => {
  const c = coordinator({ lastCompletedId: 41 });
  script(c, [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 42 checkpoint @1000 -> src"]],
    [["reset", 1100], ["abort 42"]],
    [["ack", "src", 42, 1200], []],
    // Nothing is triggered while the next attempt deploys (its tasks keep their ids, and a
    // trigger would reach a task still deploying)...
    [["tick", 1200], []],
    [["tick", 2200], []],
    [["tick", 5000], []],
    // ...and the interval starts again once they all run.
    [["deployed"], []],
    [["tick", 5100], []],
    [["tick", 6099], []],
    [["tick", 6100], ["trigger 43 checkpoint @6100 -> src"]],
  ]);
  assert.equal(c.history()[0].failureReason, "job reset");
});

Deno.test("a metadata write failure turns a completed checkpoint into a failure", () => {
  const c = coordinator();
  script(c, [
    [["tick", 0], []],
    [["tick", 1000], ["trigger 1 checkpoint @1000 -> src"]],
    ...ACK_ALL_1,
  ]);
  assert.deepEqual(c.completionFailed(1, "ENOSPC", 1040).map(show), ["abort 1", "failJob"]);
  assert.deepEqual(c.completionFailed(1, "ENOSPC", 1050), []);
  assert.equal(c.history()[0].status, "FAILED");
});

Deno.test("history is bounded and settings are checked", () => {
  const c = coordinator({ historySize: 2, intervalMs: 0 });
  for (let t = 0; t < 3; t++) c.triggerSavepoint(t);
  assert.deepEqual(c.history().map((s) => s.id), [2, 3]);
  assert.deepEqual(c.tick(10_000), []);
  assert.throws(() => c.setTasks(["a"], ["a"]), /call reset\(\) first/);
  assert.throws(
    () => new CheckpointCoordinator({ intervalMs: 1, maxConcurrent: 0 }),
    /maxConcurrent/,
  );
});
