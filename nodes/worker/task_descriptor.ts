/**
 * What the master sends a slot to deploy one subtask, and what the slot reports
 * back (Flink's TaskDeploymentDescriptor and TaskExecutionState).
 * @module
 */

import type {
  EnvironmentDefaults,
  TaskFailure,
  TaskMetrics,
} from "../../core/datastream/execution_context.ts";
import type { NetworkSettings } from "./network/channel.ts";

export type { TaskMetrics };

/** The job module a slot imports to rebuild the graph. */
export interface JobArtifact {
  readonly jobId: string;
  readonly jobModuleUrl: string;
  readonly args: readonly string[];
  readonly defaults: EnvironmentDefaults;
  readonly fingerprint: string;
}

export interface TaskDescriptor {
  readonly taskId: string;
  readonly job: JobArtifact;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** Per input job edge: one port per producer subtask, in producer order. */
  readonly inputs: { edgeId: number; ports: MessagePort[] }[];
  /** Per output job edge: one port per consumer subtask, in channel order. */
  readonly outputs: { edgeId: number; ports: MessagePort[] }[];
  readonly network: NetworkSettings;
  /** The slot's share of its worker's managed memory (for state backends and spilling). */
  readonly managedMemoryBytes?: number;
}

/** Messages from a slot worker to its master. */
export type SlotReport =
  | { type: "running"; taskId: string }
  | { type: "finished"; taskId: string; metrics: TaskMetrics }
  | { type: "metrics"; taskId: string; metrics: TaskMetrics }
  | { type: "failed"; taskId: string; failure: TaskFailure }
  | { type: "collect"; taskId: string; collectId: number; records: unknown[] };

/** Messages from the master to a slot worker. */
export type SlotCommand =
  | { type: "deploy"; task: TaskDescriptor }
  | { type: "cancel" };
