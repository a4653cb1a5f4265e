import assert from "node:assert/strict";
import { MapStateDescriptor } from "../api/state.ts";
import { DataStream } from "./data_stream.ts";
import { setJobContext } from "./execution_context.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";
import { BroadcastStream } from "./broadcast_stream.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(3);
}

const rules = new MapStateDescriptor<string, number>("rules");

Deno.test("broadcast(): no descriptor is the broadcast partitioner, descriptors make a BroadcastStream", () => {
  const e = env();
  assert.ok(e.fromElements(1).broadcast() instanceof DataStream);
  assert.ok(e.fromElements(1).broadcast(rules) instanceof BroadcastStream);
  assert.throws(
    () => e.fromElements(1).broadcast(rules, new MapStateDescriptor("rules")),
    /two state descriptors are named 'rules'/,
  );
});

Deno.test("connect(broadcastStream): the broadcast input edge uses the broadcast partitioner", () => {
  const e = env();
  const bc = e.fromElements(["max", 1] as [string, number]).broadcast(rules);
  const events = e.fromSequence(1, 10);
  events.connect(bc).process({ processElement() {}, processBroadcastElement() {} }).print();
  events.keyBy((n) => n % 2).connect(bc)
    .process({ processElement() {}, processBroadcastElement() {} }).print();
  const { streamGraph } = e.buildPlan("j");
  const shape = (name: string) => {
    const node = streamGraph.nodes.find((n) => n.name === name)!;
    const edges = node.inEdges.map((x) => [x.inputIndex, x.partitioner.kind]);
    return {
      edges,
      keyed: node.keySelector !== undefined,
      keyed2: node.keySelector2 !== undefined,
    };
  };
  assert.deepEqual(shape("Co-Process-Broadcast"), {
    edges: [[0, "forward"], [1, "broadcast"]],
    keyed: false,
    keyed2: false,
  });
  assert.deepEqual(shape("Co-Process-Broadcast-Keyed"), {
    edges: [[0, "hash"], [1, "broadcast"]],
    keyed: true,
    keyed2: false,
  });
});
