import assert from "node:assert/strict";
import { OutputTag } from "../api/functions.ts";
import { setJobContext } from "./execution_context.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
}

Deno.test("intervalJoin: a keyed two-input node, both inputs hash-partitioned", () => {
  const e = env();
  const left = e.fromElements({ k: "a" }).keyBy((x) => x.k);
  const right = e.fromElements(["a", 1] as [string, number]).keyBy(([k]) => k);
  left.intervalJoin(right).between(-5, 5).lowerBoundExclusive().upperBoundExclusive()
    .process({ processElement() {} }).print();
  const node = e.buildPlan("j").streamGraph.nodes.find((n) => n.name === "Interval Join")!;
  assert.deepEqual(node.inEdges.map((x) => [x.inputIndex, x.partitioner.kind]), [
    [0, "hash"],
    [1, "hash"],
  ]);
  assert.equal(node.keySelector, left.keySelector);
  assert.equal(node.keySelector2, right.keySelector);
});

Deno.test("intervalJoin: between() wants finite bounds, lower <= upper", () => {
  const e = env();
  const s = e.fromElements(1).keyBy((x) => x);
  const join = s.intervalJoin(s);
  assert.throws(() => join.between(5, 1), /lowerMs <= upperMs, got 5, 1/);
  assert.throws(() => join.between(-Infinity, 1), /finite bounds/);
  join.between(3, 3);
});

Deno.test("intervalJoin: each input's late records can go to a side output of the join", () => {
  const e = env();
  const left = e.fromElements({ k: "a" }).keyBy((x) => x.k);
  const right = e.fromElements(["a", 1] as [string, number]).keyBy(([k]) => k);
  const lateLeft = new OutputTag<{ k: string }>("late-left");
  const lateRight = new OutputTag<[string, number]>("late-right");
  const joined = left.intervalJoin(right).between(-5, 5)
    .sideOutputLeftLateData(lateLeft).sideOutputRightLateData(lateRight)
    .process({ processElement() {} });
  joined.getSideOutput(lateLeft).print();
  joined.getSideOutput(lateRight).print();
  const graph = e.buildPlan("j").streamGraph;
  const join = graph.nodes.find((n) => n.name === "Interval Join")!;
  const tags = graph.edges.filter((x) => x.source === join.id).map((x) => x.sideTag).sort();
  assert.deepEqual(tags, ["late-left", "late-right"]);
});
