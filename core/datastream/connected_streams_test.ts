import assert from "node:assert/strict";
import { graphFingerprint } from "../graph/fingerprint.ts";
import { setJobContext } from "./execution_context.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
}

/** The edges into the node named `name`: [input index, partitioner]. */
function inputsOf(e: StreamExecutionEnvironment, name: string) {
  const { streamGraph } = e.buildPlan("j");
  const node = streamGraph.nodes.find((n) => n.name === name)!;
  return { node, edges: node.inEdges.map((x) => [x.inputIndex, x.partitioner.kind]) };
}

Deno.test("connect: one two-input node, each stream on its own input", () => {
  const e = env();
  const a = e.fromSequence(1, 3);
  const b = e.fromElements("x").setParallelism(1);
  a.connect(b).map({ map1: String, map2: (s) => s }).print();
  const { node, edges } = inputsOf(e, "Co-Map");
  assert.equal(node.twoInput, true);
  assert.equal(node.keySelector, undefined);
  assert.deepEqual(edges, [[0, "forward"], [1, "rebalance"]]);
});

Deno.test("connect().keyBy(k1, k2): both inputs hash-partitioned, each with its own key selector", () => {
  const e = env();
  const a = e.fromElements({ id: 1 });
  const b = e.fromElements(["1", 2] as [string, number]);
  const k1 = (x: { id: number }) => String(x.id);
  const k2 = ([k]: [string, number]) => k;
  a.connect(b).keyBy(k1, k2).process({ processElement1() {}, processElement2() {} }).print();
  const { node, edges } = inputsOf(e, "KeyedCoProcess");
  assert.deepEqual(edges, [[0, "hash"], [1, "hash"]]);
  assert.equal(node.keySelector, k1);
  assert.equal(node.keySelector2, k2);
  // A keyed stream connects to another keyed alike the same way.
  const f = env();
  f.fromElements({ id: 1 }).keyBy(k1).connect(
    f.fromElements(["1", 2] as [string, number]).keyBy(k2),
  )
    .flatMap({ flatMap1() {}, flatMap2() {} }).print();
  assert.deepEqual(inputsOf(f, "Co-Flat Map").edges, [[0, "hash"], [1, "hash"]]);
});

Deno.test("connect: streams of two environments are refused", () => {
  const a = env().fromElements(1);
  const b = env().fromElements(2);
  assert.throws(
    () => a.connect(b),
    /connect\(\): the two streams belong to different execution environments/,
  );
});

Deno.test("connect: which stream feeds which input is part of the graph's fingerprint", () => {
  const fingerprint = (unionFirst: boolean) => {
    const e = env();
    const [a, b, c] = [e.fromElements(1), e.fromElements(2), e.fromElements(3)];
    const [first, second] = unionFirst ? [a.union(b), c] : [a, b.union(c)];
    first.connect(second).map({ map1: (x) => x, map2: (x) => x }).print();
    return graphFingerprint(e.buildPlan("j").streamGraph);
  };
  assert.equal(fingerprint(true), fingerprint(true));
  assert.notEqual(fingerprint(true), fingerprint(false));
});
