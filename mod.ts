/**
 * spate: a distributed stream and batch processing runtime for Deno, in the
 * spirit of Apache Flink. A job is a module that builds a dataflow with the
 * DataStream API and calls `execute()`; the same module runs on the embedded
 * local cluster (`deno run job.ts`, `spate run job.ts --local`) or a cluster.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * import type { Collector } from "spate";
 *
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements("to be or not to be")
 *   .flatMap((line: string, out: Collector<[string, number]>) => {
 *     for (const w of line.split(" ")) out.collect([w, 1]);
 *   })
 *   .keyBy(([w]) => w)
 *   .sum(1)
 *   .print();
 * await env.execute("wordcount");
 * ```
 * @module
 */

import { setDefaultExecutor } from "./core/datastream/execution_context.ts";

export { StreamExecutionEnvironment } from "./core/datastream/stream_execution_environment.ts";
export type { ReadTextFileOptions } from "./core/datastream/stream_execution_environment.ts";
export { DataStream, DataStreamSink } from "./core/datastream/data_stream.ts";
export type { CollectedStream } from "./core/datastream/collected_stream.ts";
export { KeyedStream } from "./core/datastream/keyed_stream.ts";
export { ConnectedStreams, KeyedConnectedStreams } from "./core/datastream/connected_streams.ts";
export {
  BroadcastConnectedStream,
  BroadcastStream,
  KeyedBroadcastConnectedStream,
} from "./core/datastream/broadcast_stream.ts";
export { IntervalJoin, IntervalJoined } from "./core/datastream/interval_join.ts";
export type * from "./core/api/co_functions.ts";
export type * from "./core/api/functions.ts";
export { OutputTag } from "./core/api/functions.ts";
export {
  BoundedOutOfOrdernessWatermarks,
  MAX_WATERMARK,
  MIN_WATERMARK,
  WatermarkStrategy,
} from "./core/time/mod.ts";
export type {
  TimestampAssigner,
  Watermark,
  WatermarkGenerator,
  WatermarkOutput,
} from "./core/time/mod.ts";
export * from "./core/windows/mod.ts";
export { WindowedStream } from "./core/datastream/windowed_stream.ts";
export { AllWindowedStream } from "./core/datastream/all_windowed_stream.ts";
export {
  CoGroupedStreams,
  JoinedStreams,
  WindowedCoGroup,
  WindowedJoin,
} from "./core/datastream/co_grouped_streams.ts";
export type * from "./core/api/window_functions.ts";
export type * from "./core/api/keyed_state_store.ts";
export type { Window } from "./core/api/window.ts";
export { jobArgs } from "./core/datastream/execution_context.ts";
export { JobExecutionError } from "./core/graph/job_result.ts";
export type { JobExecutionResult, TaskFailure, VertexMetrics } from "./core/graph/job_result.ts";
export type { RuntimeMode } from "./core/graph/job_plan.ts";
export { ParameterTool } from "./core/datastream/parameter_tool.ts";
export {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  stateTtlConfig,
  ValueStateDescriptor,
} from "./core/api/state.ts";
export type {
  AggregateFunction,
  AggregatingState,
  ListState,
  MapState,
  ReducingState,
  StateTtlConfig,
  ValueState,
} from "./core/api/state.ts";
export { FileSink } from "./core/connectors/file_sink.ts";
export type { Sink } from "./core/connectors/file_sink.ts";
export { PostgresSink } from "./core/connectors/postgres/postgres_sink.ts";
export { PostgresSource } from "./core/connectors/postgres/postgres_source.ts";
export type { PostgresRow } from "./core/connectors/postgres/postgres_source.ts";
export type { PostgresConnectionOptions } from "./core/connectors/postgres/connection.ts";
export { HttpSink } from "./core/connectors/http_sink.ts";
export type { DeadLetter } from "./core/connectors/http_sink.ts";
export type { SourceContext, SourceReader, SourceSpec } from "./core/connectors/source_reader.ts";
export * from "./core/connectors/mqtt/mod.ts";
export * from "./core/connectors/nats/mod.ts";
export * from "./core/connectors/http_ingest/mod.ts";
export { GraphError } from "./core/graph/stream_graph.ts";

// A job run directly (`deno run job.ts`) executes on the embedded local cluster. The
// cluster's code (master, REST, worker) loads only then: a slot or `spate plan` that
// imports the job never loads it.
setDefaultExecutor(() => ({
  async execute(plan, onCollect) {
    const { LocalExecutor } = await import("./nodes/minicluster/mini_cluster.ts");
    return await new LocalExecutor().execute(plan, onCollect);
  },
}));
