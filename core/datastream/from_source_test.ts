import assert from "node:assert/strict";
import { collectionSource } from "../connectors/collection_source.ts";
import type { SourceSpec } from "../connectors/source_reader.ts";
import { WatermarkStrategy } from "../time/watermark_strategy.ts";
import { setJobContext } from "./execution_context.ts";
import { StreamExecutionEnvironment } from "./stream_execution_environment.ts";

function env(): StreamExecutionEnvironment {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  return StreamExecutionEnvironment.getExecutionEnvironment();
}

const names = (e: StreamExecutionEnvironment) =>
  e.buildPlan("j").streamGraph.nodes.map((n) => n.name);

Deno.test("fromSource(source, watermarkStrategy, name): timestamps and watermarks at the source", () => {
  const e = env();
  e.fromSource(
    collectionSource([{ t: 1 }]),
    WatermarkStrategy.forMonotonousTimestamps<{ t: number }>().withTimestampAssigner((r) => r.t),
    "events",
  ).print();
  assert.deepEqual(names(e).slice(0, 2), ["events", "Timestamps/Watermarks"]);
});

Deno.test("fromSource: noWatermarks() and the older (source, name) form add no step", () => {
  const a = env();
  a.fromSource(collectionSource([1]), WatermarkStrategy.noWatermarks<number>(), "a").print();
  assert.deepEqual(names(a).slice(0, 1), ["a"]);
  assert.ok(!names(a).includes("Timestamps/Watermarks"));
  const b = env();
  b.fromSource(collectionSource([1]), "b").print();
  assert.ok(!names(b).includes("Timestamps/Watermarks"));
  assert.throws(
    () => env().fromSource(collectionSource([1]), WatermarkStrategy.noWatermarks<number>(), ""),
    /fromSource needs a name/,
  );
});

Deno.test("fromSource: a source's declared permissions join the job's sandbox", () => {
  setJobContext({
    mode: "plan",
    args: [],
    jobModuleUrl: "file:///job.ts",
    defaults: {},
    permissions: {}, // a sandboxed run (spate run gives the flags' permissions)
  });
  const e = StreamExecutionEnvironment.getExecutionEnvironment();
  const source: SourceSpec<number> = {
    ...collectionSource([1]),
    permissions: { net: ["127.0.0.1:1883"] },
  };
  e.fromSource(source, "s").print();
  assert.deepEqual(e.buildPlan("j").permissions?.net, ["127.0.0.1:1883"]);
});
