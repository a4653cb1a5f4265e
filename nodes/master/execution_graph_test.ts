import assert from "node:assert/strict";
import type { TaskMetrics } from "../../core/graph/job_result.ts";
import { slotGrant, TWO_STEP_JOB } from "../../tests/_helpers/job_graphs.ts";
import { IllegalTransitionError } from "../protocol/job_status.ts";
import { ExecutionGraph } from "./execution_graph.ts";
import { NotEnoughSlotsError } from "./slot_assignment.ts";

function states(g: ExecutionGraph): string[] {
  return [...g.subtasks].map((s) => `${s.vertexId}/${s.subtaskIndex} ${s.state}`);
}

function metrics(recordsIn: number, backpressuredMs: number): TaskMetrics {
  return {
    recordsIn,
    recordsOut: recordsIn * 2,
    bytesIn: 10,
    bytesOut: 20,
    buffersOut: 1,
    maxInputQueueBuffers: recordsIn,
    maxOutputBacklogBuffers: 0,
    backpressuredMs,
  };
}

Deno.test("subtasks: one per vertex and parallelism, CREATED, without slots", () => {
  const g = new ExecutionGraph(TWO_STEP_JOB);
  assert.deepEqual(states(g), ["1/0 CREATED", "2/0 CREATED", "2/1 CREATED"]);
  assert.equal(g.get(2, 1)?.slot, undefined);
  assert.equal(g.get(2, 2), undefined);
});

Deno.test("schedule shares slots: subtask i of every vertex in slot i", () => {
  const g = new ExecutionGraph(TWO_STEP_JOB);
  g.schedule([slotGrant("w1"), slotGrant("w2")]);
  assert.deepEqual(
    [...g.subtasks].map((s) => `${s.vertexId}/${s.subtaskIndex}@${s.slot?.workerId} ${s.state}`),
    ["1/0@w1 SCHEDULED", "2/0@w1 SCHEDULED", "2/1@w2 SCHEDULED"],
  );
  assert.ok(g.usesWorker("w2") && !g.usesWorker("w3"));
  assert.throws(
    () => new ExecutionGraph(TWO_STEP_JOB).schedule([slotGrant("w1")]),
    NotEnoughSlotsError,
  );
});

Deno.test("state changes follow the table; an illegal one throws naming the subtask", () => {
  const g = new ExecutionGraph(TWO_STEP_JOB);
  g.schedule([slotGrant("w1"), slotGrant("w2")]);
  g.transitionAll("DEPLOYING");
  g.transition(2, 1, "RUNNING");
  const failure = { operatorName: "Sink", vertexName: "Sink", subtaskIndex: 1, message: "boom" };
  g.transition(2, 1, "FAILED", failure);
  assert.equal(g.get(2, 1)?.failure, failure);
  g.transitionAll("CANCELED");
  assert.deepEqual(states(g), ["1/0 CANCELED", "2/0 CANCELED", "2/1 FAILED"]);
  assert.throws(
    () => g.transition(1, 0, "RUNNING"),
    (e: Error) =>
      e instanceof IllegalTransitionError &&
      e.message.startsWith("subtask 1/0: illegal transition CANCELED -> RUNNING"),
  );
  assert.throws(() => g.transition(7, 0, "RUNNING"), /no subtask 7\/0/);
});

Deno.test("reset gives a new attempt fresh subtasks; the old slots are forgotten", () => {
  const g = new ExecutionGraph(TWO_STEP_JOB);
  g.schedule([slotGrant("w1"), slotGrant("w2")]);
  assert.ok(g.usesWorker("w1"));
  g.transitionAll("CANCELED");
  assert.ok(!g.usesWorker("w1"), "a worker whose subtasks all ended no longer counts");
  g.reset();
  assert.deepEqual(states(g), ["1/0 CREATED", "2/0 CREATED", "2/1 CREATED"]);
  assert.ok(!g.usesWorker("w1"));
  assert.ok(!g.allIn("RUNNING"));
});

Deno.test("vertex metrics add counters and take the maxima of the limits", () => {
  const g = new ExecutionGraph(TWO_STEP_JOB);
  g.get(2, 0)!.metrics = metrics(5, 100);
  g.get(2, 1)!.metrics = metrics(7, 40);
  const sink = g.vertexMetrics()[1];
  assert.equal(sink.recordsIn, 12);
  assert.equal(sink.recordsOut, 24);
  assert.equal(sink.maxInputQueueBuffers, 7);
  assert.equal(sink.backpressuredMs, 100);
  assert.deepEqual(g.progress(), [
    { name: "Source", recordsIn: 0, recordsOut: 0, backpressuredMs: 0 },
    { name: "Sink", recordsIn: 12, recordsOut: 24, backpressuredMs: 100 },
  ]);
  assert.deepEqual(g.edgeDetails(), [{ source: 1, target: 2, partitioner: "rebalance" }]);
  assert.deepEqual(g.details()[1].subtasks.map((s) => [s.subtask, s.state, s.metrics.recordsIn]), [
    [0, "CREATED", 5],
    [1, "CREATED", 7],
  ]);
});
