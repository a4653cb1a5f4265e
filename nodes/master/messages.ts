/**
 * Messages of the master's actors and of the TaskExecutor: the control-plane
 * protocol, carried in memory or over HTTP/2 + CBOR alike.
 * @module
 */

import type { CheckpointTuning, NetworkTuning } from "../../core/datastream/execution_context.ts";
import type {
  JobExecutionResult,
  TaskFailure,
  TaskMetrics,
} from "../../core/datastream/execution_context.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import type { CheckpointMode } from "../../core/config/options.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type { BarrierInfo } from "../../core/checkpoint/barrier_aligner.ts";
import type { JobDeployment, TaskDeployment } from "../worker/deployment.ts";

/** A worker as it registers. */
export interface WorkerRegistration {
  readonly workerId: string;
  readonly name: string;
  readonly slots: number;
  readonly managedMemoryBytes: number;
  readonly processId: string;
  readonly dataAddress: string;
  readonly taskExecutor: ActorRef<TaskExecutorMessage>;
}

/** A slot given to a job. */
export interface SlotGrant {
  readonly workerId: string;
  readonly slotIndex: number;
  readonly processId: string;
  readonly dataAddress: string;
  readonly managedMemoryBytes: number;
  readonly taskExecutor: ActorRef<TaskExecutorMessage>;
}

export type ResourceManagerMessage =
  | { type: "registerWorker"; worker: WorkerRegistration }
  | { type: "heartbeatReply"; workerId: string; fence?: string }
  | { type: "workerDisconnected"; workerId: string; reason: string }
  | { type: "peerDisconnected"; systemId: string; reason: string }
  | { type: "allocateSlots"; jobId: string; count: number; timeoutMs: number }
  | { type: "releaseSlots"; jobId: string }
  | { type: "overview" }
  | { type: "tick" };

/** What registration answers: the master's fencing token and heartbeat settings. */
export interface RegistrationReply {
  readonly fence: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

export type TaskExecutorMessage =
  | { type: "heartbeat"; fence: string }
  | { type: "submitTask"; task: TaskDeployment }
  | { type: "cancelJob"; jobId: string }
  | { type: "releaseJob"; jobId: string }
  | { type: "masterLost"; reason: string }
  | { type: "slotReport"; slotIndex: number; report: unknown }
  | { type: "triggerCheckpoint"; taskId: string; barrier: BarrierInfo }
  | { type: "notifyCheckpointComplete"; jobId: string; attempt: number; checkpointId: number };

/** What a client hands the dispatcher. */
export interface JobSubmission {
  readonly jobName: string;
  readonly jobGraph: JobGraph;
  readonly job: Omit<JobDeployment, "jobId" | "jobName">;
  /** Buffer timeout etc. resolved by the client. */
  readonly bufferTimeoutMs: number;
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
  /** Checkpoint every this many ms (0 or absent: no checkpoints). */
  readonly checkpointIntervalMs?: number;
  readonly checkpointMode?: CheckpointMode;
  /** Absolute root of the job's checkpoints (default: the master's `./.spate/checkpoints`). */
  readonly checkpointDir?: string;
  /** Completed checkpoints kept (default 3). */
  readonly retainedCheckpoints?: number;
  /** Checkpoint timeout, min pause, max concurrent, tolerable failures. */
  readonly checkpointConfig?: CheckpointTuning;
  /** Network buffer size and credit windows. */
  readonly network?: NetworkTuning;
  /** Batch jobs take no checkpoints or savepoints. */
  readonly batch?: boolean;
  /** Start from this savepoint (or retained checkpoint) directory. */
  readonly restoreFrom?: { readonly path: string; readonly allowNonRestoredState: boolean };
}

export type DispatcherMessage =
  | { type: "submitJob"; submission: JobSubmission; client?: ActorRef<ClientMessage> }
  | { type: "listJobs" }
  | { type: "jobDetails"; jobId: string }
  | { type: "cancelJob"; jobId: string }
  | { type: "triggerSavepoint"; jobId: string; targetDir?: string; cancel: boolean }
  | { type: "jobEnded"; jobId: string; state: string }
  | { type: "workerLost"; workerId: string };

export type JobMasterMessage =
  | { type: "start" }
  | {
    type: "taskState";
    taskId: string;
    attempt: number;
    state: string;
    metrics?: TaskMetrics;
    failure?: TaskFailure;
  }
  | { type: "taskMetrics"; taskId: string; attempt: number; metrics: TaskMetrics }
  | { type: "collect"; attempt: number; collectId: number; records: unknown[] }
  | { type: "workerLost"; workerId: string }
  | { type: "restart"; attempt: number }
  | { type: "slotsGranted"; attempt: number; grants: SlotGrant[]; restore?: unknown }
  | { type: "slotsRefused"; attempt: number; message: string }
  | { type: "cancel" }
  | { type: "triggerSavepoint"; targetDir?: string; cancel: boolean }
  | { type: "details" }
  | { type: "checkpointTick" }
  | {
    type: "acknowledgeCheckpoint";
    taskId: string;
    attempt: number;
    checkpointId: number;
    handle: unknown;
  }
  | {
    type: "declineCheckpoint";
    taskId: string;
    attempt: number;
    checkpointId: number;
    reason: string;
  };

/** What the JobMaster tells the client that submitted the job. */
export type ClientMessage =
  | {
    type: "jobStatus";
    jobId: string;
    jobName: string;
    state: string;
    attempt: number;
    message?: string;
  }
  | {
    type: "progress";
    jobId: string;
    vertices: { name: string; recordsIn: number; recordsOut: number }[];
  }
  | { type: "collect"; collectId: number; records: unknown[] }
  | {
    type: "checkpointCompleted";
    jobId: string;
    checkpointId: number;
    kind: string;
    durationMs: number;
    stateSizeBytes: number;
    location?: string;
  }
  | { type: "jobFinished"; result: JobExecutionResult }
  | { type: "jobFailed"; jobName: string; failure: TaskFailure };
