import assert from "node:assert/strict";
import { setJobContext } from "../datastream/execution_context.ts";
import { StreamExecutionEnvironment } from "../datastream/stream_execution_environment.ts";
import { requiredSlots } from "./job_graph.ts";
import { graphFingerprint } from "./fingerprint.ts";

function env(parallelism = 2): StreamExecutionEnvironment {
  setJobContext({
    mode: "plan",
    args: [],
    jobModuleUrl: "file:///job.ts",
    defaults: { parallelism },
  });
  return StreamExecutionEnvironment.getExecutionEnvironment();
}

Deno.test("forward edges of equal parallelism chain; keyBy breaks the chain", () => {
  const e = env();
  e.fromSequence(1, 10).map((x) => x).filter(() => true).keyBy((x) => x).sum(0).print();
  const { jobGraph } = e.buildPlan("j");
  assert.deepEqual(jobGraph.vertices.map((v) => v.name), [
    "Source: Sequence Source -> Map -> Filter",
    "Sum -> Sink: Print to Std. Out",
  ]);
  assert.deepEqual(jobGraph.edges.map((x) => x.partitioner), ["hash"]);
  assert.equal(requiredSlots(jobGraph), 2);
});

Deno.test("parallelism changes, disableChaining, startNewChain and groups break chains", () => {
  const e = env();
  const s = e.fromSequence(1, 10);
  s.map((x) => x).setParallelism(3).print().setParallelism(3);
  s.map((x) => x).disableChaining().filter(() => true).startNewChain().map((x) => x).print();
  s.map((x) => x).slotSharingGroup("g").print();
  const { jobGraph } = e.buildPlan("j");
  const names = jobGraph.vertices.map((v) => v.name);
  assert.ok(names.includes("Map -> Sink: Print to Std. Out"), names.join(" | "));
  assert.ok(names.includes("Filter -> Map -> Sink: Print to Std. Out"), names.join(" | "));
  const rebalanced = jobGraph.edges.find((x) => x.partitioner === "rebalance");
  assert.ok(rebalanced, "parallelism 2 -> 3 defaults to rebalance");
  assert.equal(requiredSlots(jobGraph), 3 + 2, "group default needs 3, group g needs 2");
});

Deno.test("a disabled chain makes one vertex per operator; the fingerprint follows the shape", () => {
  const build = (chaining: boolean, name = "Map") => {
    const e = env();
    if (!chaining) e.disableOperatorChaining();
    e.fromSequence(1, 10).map((x) => x).name(name).print();
    return e.buildPlan("j");
  };
  assert.equal(build(false).jobGraph.vertices.length, 3);
  assert.equal(build(true).jobGraph.vertices.length, 1);
  assert.equal(
    graphFingerprint(build(true).streamGraph),
    graphFingerprint(build(true).streamGraph),
  );
  assert.notEqual(
    graphFingerprint(build(true).streamGraph),
    graphFingerprint(build(true, "Other").streamGraph),
  );
});

Deno.test("graph errors name the problem", () => {
  const e = env();
  e.fromSequence(1, 10).setParallelism(2).forward().map((x) => x).setParallelism(3).print();
  assert.throws(
    () => e.buildPlan("j"),
    /forward partitioning does not allow a change of parallelism/,
  );
  const f = env();
  f.fromElements(1, 2).setParallelism(2).print();
  assert.throws(() => f.buildPlan("j"), /not a parallel source/);
  const g = env();
  g.fromSequence(1, 2).uid("x").map((x) => x).uid("x").print();
  assert.throws(() => g.buildPlan("j"), /duplicate operator uid 'x'/);
  setJobContext(undefined);
});

Deno.test("automatic mode: a bounded job runs as batch, unless it takes checkpoints", () => {
  const plain = env();
  plain.fromSequence(1, 10).keyBy((x) => x).sum(0).print();
  const batch = plain.buildPlan("j").streamGraph.settings;
  assert.equal(batch.batch, true);

  const checkpointed = env();
  checkpointed.enableCheckpointing(500);
  checkpointed.fromSequence(1, 10).keyBy((x) => x).sum(0).print();
  const streaming = checkpointed.buildPlan("j").streamGraph.settings;
  assert.deepEqual([streaming.batch, streaming.checkpointIntervalMs], [false, 500]);

  const forced = env();
  forced.setRuntimeMode("batch").enableCheckpointing(500);
  forced.fromSequence(1, 10).keyBy((x) => x).sum(0).print();
  const explicit = forced.buildPlan("j").streamGraph.settings;
  assert.deepEqual([explicit.batch, explicit.checkpointIntervalMs], [true, 0]);
});
