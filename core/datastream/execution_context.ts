/**
 * The context a job module runs in. The same job file is imported by the client
 * (which submits it), by `spate plan` (which prints its graph) and by every slot
 * (which runs its subtasks); the context, set before the import, tells
 * `execute()` which of these it is part of (after Flink's ContextEnvironment).
 * @module
 */

import type { JobGraph } from "../graph/job_graph.ts";
import type { StreamGraph } from "../graph/stream_graph.ts";
import type { CheckpointMode, RuntimeMode, StateBackendKind } from "../config/options.ts";

export type { RuntimeMode };

/** Settings a runner hands to the job's environment before the job builds. */
export interface EnvironmentDefaults {
  parallelism?: number;
  maxParallelism?: number;
  bufferTimeoutMs?: number;
  runtimeMode?: RuntimeMode;
  chainingEnabled?: boolean;
  checkpointIntervalMs?: number;
  checkpointMode?: CheckpointMode;
  /** Absolute root directory of checkpoints. */
  checkpointDir?: string;
  retainedCheckpoints?: number;
  stateBackend?: StateBackendKind;
  /** Checkpoint timeout, min pause, max concurrent, tolerable failures. */
  checkpointConfig?: CheckpointTuning;
  /** Network buffer size and credit windows. */
  network?: NetworkTuning;
}

/** The network stack's limits a job may change (each optional: defaults apply). */
export interface NetworkTuning {
  /** Target size of a record buffer (default 32 KiB). */
  bufferSizeBytes?: number;
  /** Buffers in flight per channel between slots of a worker (default 32). */
  creditsPerChannel?: number;
  /** Buffers in flight per channel between workers (default 128). */
  creditsPerRemoteChannel?: number;
  /** Records per batch on a channel within one slot (default 256). */
  inSlotBatchRecords?: number;
  /** Batches in flight per channel within one slot (default 4). */
  creditsPerInSlotChannel?: number;
  /** About the longest a task runs before its slot takes other work (default 5 ms). */
  taskSliceMs?: number;
}

/** The coordinator's settings besides the interval (each optional: defaults apply). */
export interface CheckpointTuning {
  timeoutMs?: number;
  minPauseMs?: number;
  maxConcurrent?: number;
  tolerableFailures?: number;
}

/** A built job, ready to run. */
export interface JobPlan {
  readonly jobName: string;
  readonly streamGraph: StreamGraph;
  readonly jobGraph: JobGraph;
  /** Hash of the graph's topology: a slot checks its rebuilt graph against it. */
  readonly fingerprint: string;
  /** Module the slots import to rebuild the graph. */
  readonly jobModuleUrl: string;
  /** Arguments the job module sees in every process. */
  readonly args: readonly string[];
  /** Settings the slots must build the graph with. */
  readonly defaults: EnvironmentDefaults;
}

/** Per-vertex counters of a finished job. */
/** Counters of a task (one subtask), reported when it ends. */
export interface TaskMetrics {
  /** Records read: from the inputs, or emitted by the source of a source task. */
  recordsIn: number;
  /** Records written to the task's outputs (not counting chained calls). */
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Network buffers written. */
  buffersOut: number;
  /** Most buffers ever queued at one input channel. */
  maxInputQueueBuffers: number;
  /** Most buffers ever waiting for credit at one output channel. */
  maxOutputBacklogBuffers: number;
  /** Time spent waiting for room at the outputs (backpressure). */
  backpressuredMs: number;
}

/** Per-vertex counters of a finished job: sums over subtasks, maxima for the limits. */
export interface VertexMetrics extends TaskMetrics {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
}

/** What `execute()` resolves with. */
export interface JobExecutionResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly state: "FINISHED";
  readonly durationMs: number;
  readonly slots: number;
  readonly vertices: VertexMetrics[];
}

/** Where a job failed. */
export interface TaskFailure {
  readonly operatorName: string;
  readonly vertexName: string;
  readonly subtaskIndex: number;
  readonly message: string;
  readonly stack?: string;
}

/** A job ended FAILED; carries the failing operator, subtask and cause. */
export class JobExecutionError extends Error {
  override readonly name = "JobExecutionError";
  constructor(readonly jobName: string, readonly failure: TaskFailure) {
    super(
      `job '${jobName}' FAILED in operator '${failure.operatorName}' ` +
        `(subtask ${failure.subtaskIndex}): ${failure.message}`,
    );
  }
}

/** Receives results of collect sinks while the job runs. */
export type CollectListener = (collectId: number, records: unknown[]) => void;

/** Runs plans: the local mini-cluster, or (later) a remote cluster. */
export interface JobExecutor {
  execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult>;
}

/** Why the job module is being imported. */
export type ContextMode = "client" | "task" | "plan";

/** The context installed before a job module is imported. */
export interface JobContext {
  readonly mode: ContextMode;
  readonly args: readonly string[];
  readonly jobModuleUrl: string;
  readonly defaults: EnvironmentDefaults;
  /** Client mode: runs the plan. */
  readonly executor?: JobExecutor;
  /** Task and plan modes: receives the plan instead of running it. */
  readonly onPlan?: (plan: JobPlan) => void;
  /** Set by execute(): whether the job reached execute() at all. */
  executed?: boolean;
}

const CONTEXT_KEY = Symbol.for("spate.jobContext");
const DEFAULT_EXECUTOR_KEY = Symbol.for("spate.defaultExecutor");
type Slots = { [CONTEXT_KEY]?: JobContext; [DEFAULT_EXECUTOR_KEY]?: () => JobExecutor };
const slots = globalThis as unknown as Slots;

/** Installs the context for the next job module import. */
export function setJobContext(ctx: JobContext | undefined): void {
  slots[CONTEXT_KEY] = ctx;
}

/** The installed context; a job run directly (`deno run job.ts`) gets a local one. */
export function getJobContext(): JobContext {
  let ctx = slots[CONTEXT_KEY];
  if (ctx === undefined) {
    const factory = slots[DEFAULT_EXECUTOR_KEY];
    if (factory === undefined) {
      throw new Error("no executor: import the job API from spate's mod.ts");
    }
    ctx = {
      mode: "client",
      args: Deno.args,
      jobModuleUrl: Deno.mainModule,
      defaults: {},
      executor: factory(),
    };
    slots[CONTEXT_KEY] = ctx;
  }
  return ctx;
}

/** Registers the executor for jobs run without a runner (set by mod.ts). */
export function setDefaultExecutor(factory: () => JobExecutor): void {
  slots[DEFAULT_EXECUTOR_KEY] = factory;
}

/** The arguments the job was started with (the same in client and slots). */
export function jobArgs(): string[] {
  return [...getJobContext().args];
}
