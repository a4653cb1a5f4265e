import assert from "node:assert/strict";
import { setJobContext } from "./execution_context.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
}

Deno.test("keyBy().map/flatMap/filter run behind the key's hash partitioning, and return plain streams", () => {
  const e = env();
  const key = ([k]: [string, number]) => k;
  const keyed = e.fromElements<[string, number]>(["a", 1], ["b", 2]).keyBy(key);
  keyed.map(([k, n]) => `${k}${n}`).print();
  keyed.flatMap(([k, n], out) => {
    for (let i = 0; i < n; i++) out.collect(k);
  }).print();
  keyed.filter(([, n]) => n > 1).map(([, n]) => n * 2).print();
  const { streamGraph } = e.buildPlan("j");
  for (const name of ["Map", "Flat Map", "Filter"]) {
    const node = streamGraph.nodes.find((n) => n.name === name)!;
    assert.ok(node !== undefined, `a node named ${name}`);
    assert.deepEqual(node.inEdges.map((x) => x.partitioner.kind), ["hash"], name);
    assert.equal(node.keySelector, key, `${name} is partitioned by the stream's key`);
  }
  // The filter's output is a plain stream: the map after it chains to it (a forward edge).
  const mapAfterFilter = streamGraph.nodes.filter((n) => n.name === "Map")
    .find((n) => n.inEdges[0].partitioner.kind === "forward");
  assert.ok(mapAfterFilter !== undefined, "the map after the keyed filter reads it forward");
});
