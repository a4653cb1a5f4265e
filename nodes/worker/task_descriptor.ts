/**
 * What the master sends a slot to deploy one subtask, and what the slot reports
 * back (Flink's TaskDeploymentDescriptor and TaskExecutionState).
 * @module
 */

import type { TaskRestore } from "./chain_state.ts";
import type {
  EnvironmentDefaults,
  TaskFailure,
  TaskMetrics,
} from "../../core/datastream/execution_context.ts";
import type { NetworkSettings } from "./network/channel.ts";
import type { CheckpointMode } from "../../core/config/options.ts";
import type { BarrierInfo } from "../../core/checkpoint/barrier_aligner.ts";
import type { TaskCheckpointHandle } from "./task_checkpoints.ts";

export type { TaskMetrics };

/** The job module a slot imports to rebuild the graph. */
export interface JobArtifact {
  readonly jobId: string;
  readonly jobModuleUrl: string;
  readonly args: readonly string[];
  readonly defaults: EnvironmentDefaults;
  readonly fingerprint: string;
}

/**
 * How a task reaches one channel: a MessagePort (the other end is another
 * slot, or this process's relay to an HTTP/2 stream), or the id of an
 * in-slot channel when both ends run in the same slot.
 */
export type ChannelPort = MessagePort | { readonly inSlot: string };

export interface TaskDescriptor {
  readonly taskId: string;
  readonly job: JobArtifact;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** Per input job edge: one port per producer subtask, in producer order. */
  readonly inputs: { edgeId: number; ports: ChannelPort[]; remote: boolean[] }[];
  /** Per output job edge: one port per consumer subtask, in channel order. */
  readonly outputs: { edgeId: number; ports: ChannelPort[] }[];
  readonly network: NetworkSettings;
  /** The slot's share of its worker's managed memory (for state backends and spilling). */
  readonly managedMemoryBytes?: number;
  /** How barriers are aligned at this task's inputs. */
  readonly checkpointMode?: CheckpointMode;
  /** The job's checkpoint directory (`<root>/<jobId>`); absent for batch jobs. */
  readonly checkpointDir?: string;
  /** Periodic checkpoints every this many ms (0 or absent: savepoints only). */
  readonly checkpointIntervalMs?: number;
  /** Where the disk state backend spills (default: the system temp dir). */
  readonly spillDirectory?: string;
  /** The state to start from (failover, savepoint). */
  readonly restore?: TaskRestore;
}

/** Messages from a slot worker to its master. */
export type SlotReport =
  | { type: "running"; taskId: string }
  | { type: "finished"; taskId: string; metrics: TaskMetrics }
  | { type: "metrics"; taskId: string; metrics: TaskMetrics }
  | { type: "checkpointAck"; taskId: string; checkpointId: number; handle: TaskCheckpointHandle }
  | { type: "checkpointDecline"; taskId: string; checkpointId: number; reason: string }
  | { type: "failed"; taskId: string; failure: TaskFailure }
  | { type: "collect"; taskId: string; collectId: number; records: unknown[] };

/** Messages from the master to a slot worker. */
export type SlotCommand =
  /** First message: the port every later command arrives on. */
  | { type: "control"; port: MessagePort }
  | { type: "deploy"; task: TaskDescriptor }
  | { type: "triggerCheckpoint"; taskId: string; barrier: BarrierInfo }
  | { type: "notifyCheckpointComplete"; taskIds: string[]; checkpointId: number }
  | { type: "cancel" };
