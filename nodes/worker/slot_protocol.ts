/**
 * The slot protocol: what a TaskExecutor (main thread) sends the Web Worker
 * of one of its slots, and what the slot reports back. It never leaves the
 * worker process; the master's view of a task is in `nodes/protocol/`.
 * @module
 */

import type { AlignmentReport } from "./source_alignment.ts";
import type { CheckpointMode } from "../../core/config/options.ts";
import type { BarrierInfo } from "../../core/checkpoint/barrier_aligner.ts";
import type { FileSystemSettings } from "../../core/fs/file_system.ts";
import type { EnvironmentDefaults } from "../../core/graph/job_plan.ts";
import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import type { TaskCheckpointHandle, TaskRestore } from "../protocol/task_state.ts";
import { defineSchema } from "../rpc/message_schema.ts";
import type { IngestRegistration } from "../../core/connectors/http_ingest/ingest_protocol.ts";
import type { NetworkSettings } from "./network/channel.ts";
import type { SlotDataListen } from "./network/direct_channels.ts";
import type { ProducerDial } from "./network/dialed_channels.ts";

/** The job module a slot imports to rebuild the graph, once per attempt. */
export interface JobArtifact {
  /** The attempt the module is imported for (`attemptIdOf` in `nodes/protocol/ids.ts`). */
  readonly attemptId: string;
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
export type ChannelPort =
  | MessagePort
  | { readonly inSlot: string }
  /** Direct data plane, producer: the slot serves the channel; `announce` tells its worker where. */
  | { readonly directChannel: string; readonly announce: MessagePort }
  /** Direct data plane, consumer: the slot dials the producer's worker (then its slot). */
  | { readonly remoteChannel: string; readonly workerAddress: string }
  /** Producer that dials (its worker accepts no connections): the consumer's worker, or the relay. */
  | { readonly dialChannel: string; readonly dial: ProducerDial }
  /** Consumer whose producer dials it: the slot listens; `announce` tells its worker where. */
  | { readonly acceptChannel: string; readonly announce: MessagePort }
  /** Consumer that meets its producer at the relay at `relay`. */
  | { readonly relayChannel: string; readonly relay: string };

/** One subtask for a slot to run, with its channels as ports. */
export interface TaskDescriptor {
  readonly taskId: string;
  readonly job: JobArtifact;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** Per input job edge: one port per producer subtask, in producer order. */
  readonly inputs: { edgeId: number; ports: ChannelPort[]; remote: boolean[] }[];
  /** Per output job edge: one port per consumer subtask, in channel order. */
  readonly outputs: { edgeId: number; ports: ChannelPort[] }[];
  /** The job's network limits, resolved against the worker's defaults. */
  readonly network: NetworkSettings;
  /** With the direct data plane: where the slot listens for the channels it produces. */
  readonly dataListen?: SlotDataListen;
  /** The slot's share of its worker's managed memory (for state backends and spilling). */
  readonly managedMemoryBytes?: number;
  /** How barriers are aligned at this task's inputs. */
  readonly checkpointMode?: CheckpointMode;
  /** The job's checkpoint directory or `s3://` prefix (`<root>/<jobId>`); absent for batch jobs. */
  readonly checkpointDir?: string;
  /** Periodic checkpoints every this many ms (0 or absent: savepoints only). */
  readonly checkpointIntervalMs?: number;
  /** Where the disk state backend spills (default: the system temp dir). */
  readonly spillDirectory?: string;
  /** The state to start from (failover, savepoint). */
  readonly restore?: TaskRestore;
}

/** Messages from a slot worker to its TaskExecutor. */
export type SlotReport =
  /** The task restored its state and runs; its vertex's name labels its metrics. */
  | { type: "running"; taskId: string; vertexName: string }
  | { type: "finished"; taskId: string; metrics: TaskMetrics }
  | { type: "metrics"; taskId: string; metrics: TaskMetrics }
  | { type: "checkpointAck"; taskId: string; checkpointId: number; handle: TaskCheckpointHandle }
  | { type: "checkpointDecline"; taskId: string; checkpointId: number; reason: string }
  | { type: "failed"; taskId: string; failure: TaskFailure }
  | { type: "collect"; taskId: string; collectId: number; records: unknown[] }
  /** A source's watermark, for its alignment group (see source_alignment.ts). */
  | { type: "watermarkReport"; taskId: string; report: AlignmentReport }
  /** An ingest source's reader opened: the worker's `/ingest/NAME` reaches it over `port`. */
  | { type: "ingestReader"; taskId: string; registration: IngestRegistration; port: MessagePort };

/** The slot worker itself failed (an uncaught error): every task in it failed. */
export interface SlotCrashed {
  readonly type: "slotCrashed";
  readonly message: string;
}

/** Messages from a TaskExecutor to a slot worker. */
export type SlotCommand =
  /**
   * First message: the port every later command arrives on, and the file
   * system settings of the worker process (its S3 flags: credentials stay in
   * the process, never in a deployment).
   */
  | {
    type: "control";
    port: MessagePort;
    fileSystems: FileSystemSettings;
    /** Permissions the slot's imports needed, revoked before any job code runs. */
    revoke?: Deno.PermissionDescriptor[];
    /** Permissions the job module's import needed, revoked before its operators run. */
    revokeAfterJobImport?: Deno.PermissionDescriptor[];
    /** The slots this Web Worker may serve: each gets its own instance of the job module. */
    slots: number[];
  }
  /** A task for slot `slot` (one of the control command's `slots`). */
  | { type: "deploy"; task: TaskDescriptor; slot: number }
  | { type: "triggerCheckpoint"; taskId: string; barrier: BarrierInfo }
  | { type: "notifyCheckpointComplete"; taskIds: string[]; checkpointId: number }
  /** The JobMaster's answer to a watermark report: the highest watermark the source may reach. */
  | { type: "alignWatermark"; taskId: string; group: string; maxWatermark: number }
  | { type: "cancel" };

/**
 * What a TaskExecutor tells itself when one of its slots reports: slot
 * reports go through its mailbox, in order with every other message.
 */
export type SlotReportMessage = {
  type: "slotReport";
  slotIndex: number;
  report: SlotReport | SlotCrashed;
};

/** The schema of SlotReportMessage (checked with the TaskExecutor's other messages). */
export const SLOT_REPORT_SCHEMA = defineSchema<SlotReportMessage>()({
  slotReport: { slotIndex: "int", report: "object" },
});
