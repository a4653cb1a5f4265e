/**
 * StreamExecutionEnvironment: where a job starts. It creates sources, holds
 * job-wide settings, and on `execute()` turns the recorded transformations into
 * a plan and hands it to the context's executor.
 * @module
 */

import type { WatermarkStrategy } from "../time/watermark_strategy.ts";
import {
  DEFAULT_PRE_AGGREGATION,
  type PreAggregation,
} from "../operators/local_window_aggregate.ts";
import { isS3Location, resolveLocation } from "../fs/location.ts";
import {
  entryProblem,
  type JobPermissions,
  mergePermissions,
  PERMISSION_KINDS,
  type PermissionKind,
} from "../config/job_permissions.ts";
import { resolveCheckpointSettings } from "../checkpoint/checkpoint_settings.ts";
import { collectionSource } from "../connectors/collection_source.ts";
import { type GeneratorOptions, generatorSource } from "../connectors/generator_source.ts";
import type { SourceSpec } from "../connectors/source_reader.ts";
import { textFileSource } from "../connectors/text_file_source.ts";
import {
  type ContinuousFileOptions,
  continuousFileSource,
} from "../connectors/continuous_file_source.ts";
import { socketTextSource } from "../connectors/socket_text_source.ts";
import { graphFingerprint } from "../graph/fingerprint.ts";
import { buildJobGraph } from "../graph/job_graph.ts";
import { buildStreamGraph } from "../graph/stream_graph.ts";
import {
  CHECKPOINT_MODES,
  type CheckpointMode,
  choices,
  isOneOf,
  OPTIONS,
  RUNTIME_MODES,
  STATE_BACKENDS,
  type StateBackendKind,
} from "../config/options.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";
import { type CollectedStream, LazyCollectedStream, plannedOnly } from "./collected_stream.ts";
import { DataStream } from "./data_stream.ts";
import type { CheckpointTuning, JobPlan, RuntimeMode } from "../graph/job_plan.ts";
import { getJobContext } from "./execution_context.ts";
import type { JobExecutionResult } from "../graph/job_result.ts";
import type { KeySelector } from "../api/functions.ts";
import type { OperatorTransformation, Transformation } from "../graph/transformation.ts";

/** Options of `readTextFile`. */
export interface ReadTextFileOptions extends ContinuousFileOptions {
  /** Keep watching the directory for new files (an unbounded source). */
  readonly continuous?: boolean;
}

/** Periodic watermark interval unless the job sets one (Flink's default). */
export const DEFAULT_AUTO_WATERMARK_INTERVAL_MS = 200;

/**
 * The entry point of a job.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromSequence(1, 100).filter((n) => n % 7 === 0).print();
 * await env.execute("multiples of seven");
 * ```
 */
export class StreamExecutionEnvironment {
  private parallelism: number;
  private maxParallelism: number;
  private bufferTimeoutMs: number;
  private runtimeMode: RuntimeMode;
  private chainingEnabled: boolean;
  private checkpointIntervalMs: number = OPTIONS.checkpointIntervalMs.default;
  private autoWatermarkIntervalMs = DEFAULT_AUTO_WATERMARK_INTERVAL_MS;
  private checkpointMode: CheckpointMode = OPTIONS.checkpointMode.default;
  private checkpointDir: string | undefined;
  private retainedCheckpoints: number | undefined;
  private stateBackend: StateBackendKind = OPTIONS.stateBackend.default;
  private permissions: JobPermissions | undefined;
  /** The files the job's connectors name: added to a sandbox, never one by themselves. */
  private connectorPermissions: JobPermissions | undefined;
  private checkpointConfig: CheckpointTuning = {};
  private preAggregation: PreAggregation = DEFAULT_PRE_AGGREGATION;
  private nextId = 1;
  private collectIds = 0;
  private sinks: Transformation[] = [];

  private constructor() {
    const d = getJobContext().defaults;
    this.parallelism = d.parallelism ?? OPTIONS.parallelism.default;
    this.maxParallelism = d.maxParallelism ?? OPTIONS.maxParallelism.default;
    this.bufferTimeoutMs = OPTIONS.bufferTimeoutMs.default;
    if (d.bufferTimeoutMs !== undefined) this.setBufferTimeout(d.bufferTimeoutMs);
    this.runtimeMode = d.runtimeMode ?? OPTIONS.runtimeMode.default;
    this.chainingEnabled = d.chainingEnabled ?? OPTIONS.chainingEnabled.default;
    if (d.checkpointIntervalMs) this.enableCheckpointing(d.checkpointIntervalMs, d.checkpointMode);
    this.checkpointDir = d.checkpointDir;
    this.retainedCheckpoints = d.retainedCheckpoints;
    if (d.stateBackend !== undefined) this.setStateBackend(d.stateBackend);
    if (d.checkpointConfig !== undefined) this.setCheckpointConfig(d.checkpointConfig);
  }

  /** The environment of the context the job runs in (local, cluster or slot). */
  static getExecutionEnvironment(): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment();
  }

  /**
   * Two-phase aggregation of aligned windows (tumbling, or sliding by a
   * divisor of the size, with an incremental reduce or an aggregate with
   * `merge`): each subtask before the keyBy folds its own elements per key
   * and slice and holds at most `maxEntries` of them (then sends them all
   * early; default 65,536); 0 turns it off (every element crosses the keyBy).
   * `sampleElements` (default 100,000) and `maxDistinctRatio` (0.5): when more
   * than that share of the first elements start entries of their own, a
   * subtask stops folding and sends elements on alone. Affects windows built
   * after the call.
   */
  setWindowPreAggregation(maxEntries: number, options: Partial<PreAggregation> = {}): this {
    const settings = { ...DEFAULT_PRE_AGGREGATION, ...options, maxEntries };
    const { sampleElements, maxDistinctRatio } = settings;
    if (!(Number.isSafeInteger(maxEntries) && maxEntries >= 0)) {
      throw new RangeError(
        `window pre-aggregation entries must be an integer >= 0, got ${maxEntries}`,
      );
    }
    if (!(Number.isSafeInteger(sampleElements) && sampleElements > 0)) {
      throw new RangeError(`sampleElements must be a positive integer, got ${sampleElements}`);
    }
    if (!(maxDistinctRatio >= 0 && maxDistinctRatio <= 1)) {
      throw new RangeError(`maxDistinctRatio must be in [0, 1], got ${maxDistinctRatio}`);
    }
    this.preAggregation = settings;
    return this;
  }
  /** How windows pre-aggregate before a keyBy (`maxEntries` 0: they do not). */
  getWindowPreAggregation(): PreAggregation {
    return this.preAggregation;
  }

  /** Default parallelism of operators that set none. */
  setParallelism(parallelism: number): this {
    if (!Number.isInteger(parallelism) || parallelism < 1) {
      throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
    }
    this.parallelism = parallelism;
    return this;
  }
  getParallelism(): number {
    return this.parallelism;
  }
  /** Number of key groups: the upper bound of keyed operators' parallelism. */
  setMaxParallelism(maxParallelism: number): this {
    const { min, max } = OPTIONS.maxParallelism;
    if (!Number.isInteger(maxParallelism) || maxParallelism < min || maxParallelism > max) {
      throw new RangeError(`max parallelism must be in ${min}..${max}, got ${maxParallelism}`);
    }
    this.maxParallelism = maxParallelism;
    return this;
  }
  /** Longest time a partly filled buffer waits before it is sent (0 = every record). */
  setBufferTimeout(ms: number): this {
    const { min, max } = OPTIONS.bufferTimeoutMs;
    if (!(ms >= min && ms <= max)) {
      throw new RangeError(`buffer timeout must be ${min}..${max} ms, got ${ms}`);
    }
    this.bufferTimeoutMs = ms;
    return this;
  }
  /**
   * How often timestamp assigners emit periodic watermarks, in ms of
   * processing time (default 200; 0 turns periodic watermarks off).
   */
  setAutoWatermarkInterval(ms: number): this {
    if (!(Number.isInteger(ms) && ms >= 0)) {
      throw new RangeError(`auto watermark interval must be an integer >= 0 ms, got ${ms}`);
    }
    this.autoWatermarkIntervalMs = ms;
    return this;
  }
  /** The periodic watermark interval in ms. */
  getAutoWatermarkInterval(): number {
    return this.autoWatermarkIntervalMs;
  }
  /** streaming, batch, or automatic (batch when every source is bounded). */
  setRuntimeMode(mode: RuntimeMode): this {
    if (!isOneOf(RUNTIME_MODES, mode)) {
      throw new RangeError(`runtime mode must be ${choices(RUNTIME_MODES)}, got ${mode}`);
    }
    this.runtimeMode = mode;
    return this;
  }
  /**
   * Takes a checkpoint every `intervalMs` (asynchronous barrier snapshots):
   * exactly-once aligns barriers at multi-input tasks; at-least-once never
   * blocks an input; unaligned is exactly-once without blocking: a task
   * snapshots at the first barrier and stores the data still in flight on its
   * other inputs. Savepoints are always aligned.
   */
  enableCheckpointing(
    intervalMs: number,
    mode: CheckpointMode = OPTIONS.checkpointMode.default,
  ): this {
    const { min } = OPTIONS.checkpointIntervalMs;
    if (!Number.isInteger(intervalMs) || intervalMs < min) {
      throw new RangeError(
        `checkpoint interval must be an integer >= ${min} ms, got ${intervalMs}`,
      );
    }
    if (!isOneOf(CHECKPOINT_MODES, mode)) {
      throw new RangeError(`checkpointing mode must be ${choices(CHECKPOINT_MODES)}, got ${mode}`);
    }
    this.checkpointIntervalMs = intervalMs;
    this.checkpointMode = mode;
    return this;
  }

  /**
   * Where checkpoints are stored: `dir/<job id>/chk-<n>/` (absolute, relative
   * to the current directory, or an object store prefix `s3://bucket/prefix`),
   * and how many completed ones are kept. Every worker must reach it (local
   * disk, shared storage, or the object store with its own credentials).
   */
  setCheckpointStorage(dir: string, retained?: number): this {
    this.checkpointDir = resolveLocation(dir);
    if (retained !== undefined) {
      const { min } = OPTIONS.retainedCheckpoints;
      if (!Number.isInteger(retained) || retained < min) {
        throw new RangeError(`retained checkpoints must be an integer >= ${min}, got ${retained}`);
      }
      this.retainedCheckpoints = retained;
    }
    return this;
  }

  /**
   * Tunes checkpointing: `timeoutMs` (a checkpoint not complete by then is
   * aborted, default 10 min), `minPauseMs` (least time from one completion to
   * the next trigger, default 0), `maxConcurrent` (default 1) and
   * `tolerableFailures` (consecutive failed checkpoints before the job fails
   * over, default 0).
   */
  setCheckpointConfig(config: CheckpointTuning): this {
    resolveCheckpointSettings({ intervalMs: 0, ...config }); // throws a RangeError naming a bad one
    this.checkpointConfig = { ...this.checkpointConfig, ...config };
    return this;
  }

  /**
   * Where keyed state lives: `"heap"` (default, fastest) or `"disk"`, which
   * keeps key groups beyond the slot's managed memory in local files.
   */
  setStateBackend(kind: StateBackendKind): this {
    if (!isOneOf(STATE_BACKENDS, kind)) {
      throw new RangeError(`state backend must be ${choices(STATE_BACKENDS)}, got ${kind}`);
    }
    this.stateBackend = kind;
    return this;
  }

  /**
   * The Deno permissions the job's code needs in its slots (read, write, net,
   * env, run, ffi, sys; `"*"` for a whole kind), added to those given on the
   * command line (`spate run --allow-read=...`). A slot's code gets these and
   * nothing else; a cluster refuses more than its `--job-permissions-max`.
   * Relative paths are resolved against the current directory.
   *
   * @example
   * ```ts ignore
   * env.setPermissions({ read: ["/data/in"], write: ["/data/out"], net: ["api.example.com"] });
   * ```
   */
  setPermissions(permissions: JobPermissions): this {
    const out: Partial<Record<PermissionKind, string[]>> = {};
    for (const [kind, entries] of Object.entries(permissions)) {
      if (!(PERMISSION_KINDS as readonly string[]).includes(kind)) {
        throw new RangeError(`'${kind}' is not a permission (${PERMISSION_KINDS.join(", ")})`);
      }
      const k = kind as PermissionKind;
      out[k] = (entries ?? []).map((e: string) => {
        const value = (k === "read" || k === "write" || k === "ffi") && e !== "*"
          ? resolveLocation(e)
          : e;
        const problem = entryProblem(k, value);
        if (problem !== undefined) throw new RangeError(problem);
        return value;
      });
    }
    this.permissions = mergePermissions(this.permissions, out);
    return this;
  }

  /**
   * @internal A file connector's path, declared for the job's sandbox: the
   * job may use the files its own sources and sinks name (object stores aside).
   */
  declareFileAccess(kinds: readonly ("read" | "write")[], path: string): void {
    if (isS3Location(path)) return;
    const resolved = resolveLocation(path);
    this.connectorPermissions = mergePermissions(
      this.connectorPermissions,
      Object.fromEntries(kinds.map((k) => [k, [resolved]])),
    );
  }

  /**
   * @internal What a network connector (a database, a broker) needs in the
   * job's sandbox, declared for the job: e.g. `{ net: ["db:5432"], env: ["PGPASSWORD"] }`.
   */
  declareConnectorPermissions(permissions: JobPermissions): void {
    this.connectorPermissions = mergePermissions(this.connectorPermissions, permissions);
  }

  /** Turns operator chaining off for the whole job. */
  disableOperatorChaining(): this {
    this.chainingEnabled = false;
    return this;
  }

  /** A bounded, non-parallel source of the given elements. */
  fromElements<T>(...elements: T[]): DataStream<T> {
    return this.fromSource(collectionSource(elements), "Source: Collection Source");
  }
  /** A bounded, non-parallel source of the elements of an array. */
  fromCollection<T>(elements: readonly T[]): DataStream<T> {
    return this.fromSource(collectionSource([...elements]), "Source: Collection Source");
  }
  /**
   * The lines of a text file, or of every file under a directory. With
   * `{ continuous: true }` the source runs forever: it scans the directory
   * every `intervalMs` (default 1000) and reads each file that appears, once,
   * with its progress checkpointed (Flink's `PROCESS_CONTINUOUSLY`).
   */
  readTextFile(path: string, options: ReadTextFileOptions = {}): DataStream<string> {
    if (options.continuous !== true && options.intervalMs !== undefined) {
      throw new RangeError("readTextFile: intervalMs applies only with { continuous: true }");
    }
    this.declareFileAccess(["read"], path);
    if (options.continuous === true) {
      return this.fromSource(
        continuousFileSource(path, options),
        `Source: readTextFile(${path}, continuous)`,
      );
    }
    return this.fromSource(textFileSource(path), `Source: readTextFile(${path})`);
  }
  /**
   * The lines (or `delimiter`-separated parts) a TCP server at `host:port`
   * sends, from one subtask; ends when the server closes the connection.
   * At-most-once: what was read before a failure is not read again.
   */
  socketTextStream(host: string, port: number, delimiter = "\n"): DataStream<string> {
    const source = socketTextSource(host, port, delimiter);
    this.declareConnectorPermissions({ net: [`${host}:${port}`] });
    return this.fromSource(source, `Source: Socket Stream ${host}:${port}`);
  }
  /** The integers from `from` to `to`, inclusive, split among subtasks. */
  fromSequence(from: number, to: number): DataStream<number> {
    if (!Number.isSafeInteger(from) || !(to >= from)) {
      throw new RangeError(`fromSequence needs integers from <= to, got ${from}..${to}`);
    }
    return this.fromSource(
      generatorSource(to - from + 1, (i) => from + i),
      "Source: Sequence Source",
    );
  }
  /**
   * `count` records `fn(0) .. fn(count - 1)` (`Infinity`: unbounded), at most
   * `options.recordsPerSecond` per second over all subtasks (bounded or not).
   */
  fromGenerator<T>(
    count: number,
    fn: (index: number) => T,
    options?: GeneratorOptions,
  ): DataStream<T> {
    return this.fromSource(generatorSource(count, fn, options), "Source: Generator Source");
  }
  /**
   * A stream from any source, in Flink's shape: `watermarkStrategy` gives the
   * records event timestamps and watermarks right at the source (leave it out,
   * or pass `WatermarkStrategy.noWatermarks()`, for processing time only). The
   * older form `fromSource(source, name)` still works.
   *
   * @example
   * ```ts ignore
   * env.fromSource(
   *   MqttSource.builder().setBrokerUrl("mqtt://127.0.0.1:1883").setTopics("sensors/#").build(),
   *   WatermarkStrategy.forBoundedOutOfOrderness<MqttRecord>(1_000)
   *     .withTimestampAssigner((r) => r.arrivalMs),
   *   "sensors",
   * );
   * ```
   */
  fromSource<T>(source: SourceSpec<T>, name: string): DataStream<T>;
  fromSource<T>(
    source: SourceSpec<T>,
    watermarkStrategy: WatermarkStrategy<T>,
    name: string,
  ): DataStream<T>;
  fromSource<T>(
    source: SourceSpec<T>,
    strategyOrName: WatermarkStrategy<T> | string,
    maybeName?: string,
  ): DataStream<T> {
    const name = typeof strategyOrName === "string" ? strategyOrName : maybeName;
    if (typeof name !== "string" || name === "") {
      throw new TypeError("fromSource needs a name: fromSource(source, watermarkStrategy, name)");
    }
    if (source.permissions !== undefined) this.declareConnectorPermissions(source.permissions);
    const source_ = source as SourceSpec<unknown>;
    const stream = new DataStream<T>(this, { kind: "source", source: source_, ...this.base(name) });
    if (typeof strategyOrName === "string" || strategyOrName.isNoWatermarks) return stream;
    return stream.assignTimestampsAndWatermarks(strategyOrName);
  }

  /** Builds the plan of the job defined so far. */
  buildPlan(jobName: string): JobPlan {
    const ctx = getJobContext();
    const streamGraph = buildStreamGraph(this.sinks, {
      defaultParallelism: this.parallelism,
      maxParallelism: this.maxParallelism,
      bufferTimeoutMs: this.bufferTimeoutMs,
      chainingEnabled: this.chainingEnabled,
      checkpointIntervalMs: this.checkpointIntervalMs,
      checkpointMode: this.checkpointMode,
      checkpointDir: this.checkpointDir,
      retainedCheckpoints: this.retainedCheckpoints,
      stateBackend: this.stateBackend,
      checkpointConfig: this.checkpointConfig,
    }, this.runtimeMode);
    return {
      jobName,
      streamGraph,
      jobGraph: buildJobGraph(jobName, streamGraph),
      fingerprint: graphFingerprint(streamGraph),
      jobModuleUrl: ctx.jobModuleUrl,
      args: ctx.args,
      defaults: ctx.defaults,
      permissions: ctx.permissions === undefined && this.permissions === undefined
        ? undefined
        : mergePermissions(ctx.permissions, this.permissions, this.connectorPermissions),
    };
  }

  /** Runs the job and resolves when it finishes; rejects with JobExecutionError on failure. */
  execute(jobName = "spate job"): Promise<JobExecutionResult> {
    return this.run(jobName);
  }

  /**
   * @internal The job defined so far, with its results collected: it runs
   * when they are first read (see CollectedStream).
   */
  executeCollecting<T>(jobName: string, collectId: number): CollectedStream<T> {
    const ctx = getJobContext();
    const plan = this.takePlan(jobName);
    if (ctx.mode !== "client") {
      ctx.onPlan!(plan);
      return plannedOnly();
    }
    const submit = (onBatch: (records: T[]) => void) => {
      ctx.executed = true;
      return ctx.executor!.execute(plan, (id, records) => {
        if (id === collectId) onBatch(records as T[]);
      });
    };
    return new LazyCollectedStream(jobName, submit, ctx.unreadCollects ??= new Set());
  }

  private run(jobName: string): Promise<JobExecutionResult> {
    const ctx = getJobContext();
    const plan = this.takePlan(jobName);
    ctx.executed = true;
    if (ctx.mode !== "client") {
      // Task and plan modes only want the graph: hand it over and never resolve,
      // so the rest of the job module (printing results, ...) does not run here.
      ctx.onPlan!(plan);
      return new Promise(() => {});
    }
    return ctx.executor!.execute(plan);
  }

  /** The plan of the job defined so far; the next job starts from no sinks. */
  private takePlan(jobName: string): JobPlan {
    const plan = this.buildPlan(jobName);
    this.sinks = [];
    return plan;
  }

  /** @internal Fields every new transformation starts with. */
  base(name: string): { id: number; name: string; chaining: "always" } {
    return { id: this.nextId++, name, chaining: "always" };
  }
  /** @internal Adds a one-input operator after `input`. */
  addOperator(
    input: Transformation,
    name: string,
    factory: OperatorFactory,
    keySelector?: KeySelector<unknown, unknown>,
  ): OperatorTransformation {
    return { kind: "operator", input, factory, keySelector, ...this.base(name) };
  }
  /**
   * @internal Adds a two-input operator: `input2` feeds its `processElement2`.
   * Keyed ones name the key of each input (`keySelector2` may be absent when
   * only the first input is keyed, as for keyed broadcast).
   */
  addTwoInputOperator(
    input: Transformation,
    input2: Transformation,
    name: string,
    factory: OperatorFactory,
    keySelector?: KeySelector<unknown, unknown>,
    keySelector2?: KeySelector<unknown, unknown>,
  ): OperatorTransformation {
    return {
      kind: "operator",
      input,
      input2,
      factory,
      keySelector,
      keySelector2,
      ...this.base(name),
    };
  }
  /** @internal Registers a sink: execute() builds the graph backwards from the sinks. */
  addSink(t: Transformation): void {
    this.sinks.push(t);
  }
  /** @internal A fresh id for a collect sink. */
  nextCollectId(): number {
    return this.collectIds++;
  }
}
