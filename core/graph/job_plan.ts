/**
 * A built job as runners receive it (the StreamGraph, its JobGraph and the
 * settings the slots rebuild it with) and the executor that runs it. The
 * DataStream API builds plans; the local mini-cluster and the cluster client
 * run them.
 * @module
 */

import type { CheckpointMode, RuntimeMode, StateBackendKind } from "../config/options.ts";
import type { JobPermissions } from "../config/job_permissions.ts";
import type { JobGraph } from "./job_graph.ts";
import type { JobExecutionResult } from "./job_result.ts";
import type { StreamGraph } from "./stream_graph.ts";

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
  /** Buffers in flight into one task from other slots of its worker, all channels (default 32). */
  creditsPerGate?: number;
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

export type { RuntimeMode };

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
  /**
   * The Deno permissions of the job's code in its slots; undefined: none
   * declared (a cluster then gives none; a program's embedded cluster runs
   * its slots with the program's own permissions).
   */
  readonly permissions?: JobPermissions;
}

/** Receives results of collect sinks while the job runs. */
export type CollectListener = (collectId: number, records: unknown[]) => void;

/** Runs plans: the local mini-cluster, or (later) a remote cluster. */
export interface JobExecutor {
  execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult>;
}
