/**
 * DataStream: a stream of records of type T and the transformations on it.
 * Each method records a transformation; nothing runs until `execute()`.
 * @module
 */

import type { Sink } from "../connectors/file_sink.ts";
import { CollectSinkOperator } from "../operators/collect_sink.ts";
import { FilterOperator } from "../operators/filter.ts";
import { FlatMapOperator } from "../operators/flat_map.ts";
import { MapOperator } from "../operators/map.ts";
import { PrintSinkOperator } from "../operators/print_sink.ts";
import { ProcessOperator } from "../operators/process.ts";
import { SinkOperator } from "../operators/sink.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";
import { TextFileSinkOperator } from "../operators/text_file_sink.ts";
import { TimestampsAndWatermarksOperator } from "../operators/timestamps_and_watermarks.ts";
import type { WatermarkStrategy } from "../time/watermark_strategy.ts";
import type { MapStateDescriptor } from "../api/state.ts";
import { BroadcastConnectedStream, BroadcastStream } from "./broadcast_stream.ts";
import { ConnectedStreams } from "./connected_streams.ts";
import type { CollectedStream } from "./collected_stream.ts";
import type {
  FilterFunction,
  FlatMapFunction,
  KeySelector,
  MapFunction,
  OutputTag,
  Partitioner,
  ProcessFunction,
  SinkFunction,
} from "../api/functions.ts";
import { KeyedStream } from "./keyed_stream.ts";
import { ALL_WINDOW_KEY, AllWindowedStream } from "./all_windowed_stream.ts";
import { CoGroupedStreams, JoinedStreams } from "./co_grouped_streams.ts";
import type { GlobalWindow } from "../windows/time_window.ts";
import type { Window } from "../api/window.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import type { StreamExecutionEnvironment } from "./stream_execution_environment.ts";
import type {
  OperatorTransformation,
  PartitionerSpec,
  Transformation,
} from "../graph/transformation.ts";
import { TransformationConfig } from "./transformation_config.ts";

/**
 * A stream of records.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements(1, 2, 3).map((x) => x * 2).filter((x) => x > 2).print();
 * ```
 */
export class DataStream<T> extends TransformationConfig {
  constructor(readonly env: StreamExecutionEnvironment, transformation: Transformation) {
    super(transformation);
  }

  /** Applies `fn` to every record. */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.transform("Map", () => new MapOperator(fn));
  }

  /** Emits any number of records per input record through the collector. */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.transform("Flat Map", () => new FlatMapOperator(fn));
  }

  /**
   * Keeps the records for which `fn` returns true. A type guard narrows the
   * stream's type: `events.filter((e): e is Bid => e.type === "bid")`.
   */
  filter<S extends T>(fn: (value: T) => value is S): DataStream<S>;
  filter(fn: FilterFunction<T>): DataStream<T>;
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.transform("Filter", () => new FilterOperator(fn));
  }

  /** Applies a low-level ProcessFunction. */
  process<R>(fn: ProcessFunction<T, R>): DataStream<R> {
    return this.transform("Process", () => new ProcessOperator(fn));
  }

  /**
   * Gives records event timestamps and watermarks by `strategy`; the
   * operators after it run in event time.
   *
   * @example
   * ```ts
   * import { StreamExecutionEnvironment, WatermarkStrategy } from "spate";
   * const env = StreamExecutionEnvironment.getExecutionEnvironment();
   * env.fromElements({ user: "a", atMs: 1_000 })
   *   .assignTimestampsAndWatermarks(
   *     WatermarkStrategy.forBoundedOutOfOrderness<{ user: string; atMs: number }>(5_000)
   *       .withTimestampAssigner((e) => e.atMs),
   *   )
   *   .print();
   * ```
   */
  assignTimestampsAndWatermarks(strategy: WatermarkStrategy<T>): DataStream<T> {
    const env = this.env;
    return this.transform(
      "Timestamps/Watermarks",
      () => new TimestampsAndWatermarksOperator(strategy, () => env.getAutoWatermarkInterval()),
    );
  }

  /** The records the operator of this stream emitted to the side output `tag`. */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    const t = this.transformation;
    if (t.kind !== "operator") {
      throw new Error(`getSideOutput('${tag.id}') needs an operator's stream, not a ${t.kind}`);
    }
    return new DataStream<X>(this.env, {
      kind: "sideOutput",
      input: t,
      tag: tag.id,
      ...this.env.base(`Side Output ${tag.id}`),
    });
  }

  /** Partitions the stream by key: records with equal keys reach the same subtask. */
  keyBy<K>(keySelector: KeySelector<T, K>): KeyedStream<T, K> {
    const partitioned = this.partition({
      kind: "hash",
      keySelector: keySelector as KeySelector<unknown, unknown>,
    });
    return new KeyedStream(this.env, partitioned.transformation, keySelector);
  }

  /** Windows over the whole stream, in one subtask (parallelism 1). */
  windowAll<W extends Window>(assigner: WindowAssigner<T, W>): AllWindowedStream<T, W> {
    return new AllWindowedStream(this.keyBy(() => ALL_WINDOW_KEY).window(assigner));
  }

  /** Windows of `size` records of the whole stream: tumbling, or sliding by `slide` records. */
  countWindowAll(size: number, slide?: number): AllWindowedStream<T, GlobalWindow> {
    return new AllWindowedStream(this.keyBy(() => ALL_WINDOW_KEY).countWindow(size, slide));
  }

  /** Per key and window, a function of this stream's and `other`'s elements (a window coGroup). */
  coGroup<B>(other: DataStream<B>): CoGroupedStreams<T, B> {
    return new CoGroupedStreams(this, other);
  }

  /** Per key and window, each pair of this stream's and `other`'s elements (a window join). */
  join<B>(other: DataStream<B>): JoinedStreams<T, B> {
    return new JoinedStreams(this, other);
  }

  /** Merges this stream with others of the same type. */
  union(...others: DataStream<T>[]): DataStream<T> {
    const inputs = [this, ...others].map((s) => s.transformation);
    return new DataStream(this.env, { kind: "union", inputs, ...this.env.base("Union") });
  }

  /** Sends each record to the subtask with the same index (parallelism must match). */
  forward(): DataStream<T> {
    return this.partition({ kind: "forward" });
  }
  /** Distributes records round-robin over all downstream subtasks. */
  rebalance(): DataStream<T> {
    return this.partition({ kind: "rebalance" });
  }
  /** Distributes records round-robin over a local subset of downstream subtasks. */
  rescale(): DataStream<T> {
    return this.partition({ kind: "rescale" });
  }
  /** Sends each record to a random downstream subtask. */
  shuffle(): DataStream<T> {
    return this.partition({ kind: "shuffle" });
  }
  /** Sends every record to every downstream subtask. */
  broadcast(): DataStream<T>;
  /**
   * A broadcast stream for the broadcast state pattern: connect a stream to
   * it; its records update the broadcast states `descriptors` name, in every
   * subtask.
   */
  broadcast(...descriptors: MapStateDescriptor<unknown, unknown>[]): BroadcastStream<T>;
  broadcast(
    ...descriptors: MapStateDescriptor<unknown, unknown>[]
  ): DataStream<T> | BroadcastStream<T> {
    const all = this.partition({ kind: "broadcast" });
    return descriptors.length === 0 ? all : new BroadcastStream(all, descriptors);
  }

  /**
   * Connects this stream to `other` (of any type) for one two-input operator:
   * `map`, `flatMap`, `process`, or `keyBy(k1, k2)` first for keyed state
   * and timers. Connected to a broadcast stream, it applies the broadcast
   * state pattern.
   *
   * @example
   * ```ts
   * import { StreamExecutionEnvironment } from "spate";
   * const env = StreamExecutionEnvironment.getExecutionEnvironment();
   * env.fromElements(1, 2).connect(env.fromElements("x"))
   *   .flatMap<string>({
   *     flatMap1: (n, out) => out.collect(String(n)),
   *     flatMap2: (s, out) => out.collect(s),
   *   })
   *   .print();
   * ```
   */
  connect<T2>(other: BroadcastStream<T2>): BroadcastConnectedStream<T, T2>;
  connect<T2>(other: DataStream<T2>): ConnectedStreams<T, T2>;
  connect<T2>(
    other: DataStream<T2> | BroadcastStream<T2>,
  ): ConnectedStreams<T, T2> | BroadcastConnectedStream<T, T2> {
    return other instanceof BroadcastStream
      ? new BroadcastConnectedStream(this, other)
      : new ConnectedStreams(this, other);
  }
  /** Sends every record to the first downstream subtask. */
  global(): DataStream<T> {
    return this.partition({ kind: "global" });
  }
  /** Routes each record by `partitioner(key, numPartitions)`. */
  partitionCustom<K>(partitioner: Partitioner<K>, keySelector: KeySelector<T, K>): DataStream<T> {
    return this.partition({
      kind: "custom",
      custom: partitioner as Partitioner<unknown>,
      keySelector: keySelector as KeySelector<unknown, unknown>,
    });
  }

  /** Prints every record to stdout (`N> ` prefixed when parallel). */
  print(): DataStreamSink {
    return this.sink("Sink: Print to Std. Out", () => new PrintSinkOperator("stdout"));
  }
  /** Prints every record to stderr. */
  printToErr(): DataStreamSink {
    return this.sink("Sink: Print to Std. Err", () => new PrintSinkOperator("stderr"));
  }
  /** Writes one line per record: a file, or a directory of part files when parallel. */
  writeAsText(path: string): DataStreamSink {
    this.env.declareFileAccess(["read", "write"], path);
    return this.sink(`Sink: Text File ${path}`, () => new TextFileSinkOperator(path));
  }
  /**
   * Sends every record to a sink such as `FileSink.forRowFormat(dir).build()`;
   * the permissions the sink declares (an HTTP sink's host) are the job's.
   */
  sinkTo(sink: Sink): DataStreamSink {
    if (sink.permissions !== undefined) this.env.declareConnectorPermissions(sink.permissions);
    return new DataStreamSink(this.sinkTransformation(sink.name, sink.createOperator), this.env);
  }
  /** Hands every record to a user sink function. */
  addSink(fn: SinkFunction<T>): DataStreamSink {
    return this.sink("Sink: Unnamed", () => new SinkOperator(fn));
  }

  /**
   * Ends the job defined so far with this stream's records sent back to the
   * caller, and returns them: the job runs when they are first read, with
   * `for await` (as they arrive), `toArray()` or `await` (all of them at the
   * end). A job module that never reads them fails: its job did not run.
   *
   * @example
   * ```ts
   * import { StreamExecutionEnvironment } from "spate";
   * const env = StreamExecutionEnvironment.getExecutionEnvironment();
   * for await (const x of env.fromElements(1, 2, 3).map((x) => x + 1).executeAndCollect()) {
   *   console.log(x);
   * }
   * const all: number[] = await env.fromSequence(1, 10).executeAndCollect("all").toArray();
   * ```
   */
  executeAndCollect(jobName = "collect"): CollectedStream<T> {
    const collectId = this.env.nextCollectId();
    const t = this.sinkTransformation("Sink: Collect", () => new CollectSinkOperator(collectId));
    (t as { collectId?: number }).collectId = collectId;
    return this.env.executeCollecting<T>(jobName, collectId);
  }

  private transform<R>(name: string, factory: OperatorFactory): DataStream<R> {
    return new DataStream<R>(this.env, this.env.addOperator(this.transformation, name, factory));
  }

  private partition(partitioner: PartitionerSpec): DataStream<T> {
    const t = {
      kind: "partition" as const,
      input: this.transformation,
      partitioner,
      ...this.env.base("Partition"),
    };
    return new DataStream<T>(this.env, t);
  }

  private sinkTransformation(name: string, factory: OperatorFactory): OperatorTransformation {
    const t: OperatorTransformation = {
      kind: "sink",
      input: this.transformation,
      factory,
      ...this.env.base(name),
    };
    this.env.addSink(t);
    return t;
  }

  private sink(name: string, factory: OperatorFactory): DataStreamSink {
    return new DataStreamSink(this.sinkTransformation(name, factory));
  }
}

/** A sink; configure its name, uid, parallelism and slot sharing group. */
export class DataStreamSink extends TransformationConfig {
  constructor(transformation: Transformation, private readonly env?: StreamExecutionEnvironment) {
    super(transformation);
  }

  /** The records the sink emitted to the side output `tag` (an HTTP sink's dead letters). */
  getSideOutput<X>(tag: OutputTag<X>): DataStream<X> {
    if (this.env === undefined) {
      throw new Error(`getSideOutput('${tag.id}'): this sink has no side outputs`);
    }
    return new DataStream<X>(this.env, {
      kind: "sideOutput",
      input: this.transformation,
      tag: tag.id,
      ...this.env.base(`Side Output ${tag.id}`),
    });
  }
}
