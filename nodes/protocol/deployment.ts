/**
 * What a JobMaster sends a TaskExecutor to deploy a subtask (Flink's
 * TaskDeploymentDescriptor). Channels are named, with the location of their
 * other end; the TaskExecutor turns each into a port for the slot.
 * @module
 */

import type { EnvironmentDefaults, NetworkTuning } from "../../core/graph/job_plan.ts";
import type { JobPermissions } from "../../core/config/job_permissions.ts";
import type { CheckpointMode } from "../../core/config/options.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type { JobMasterMessage } from "./job_master.ts";
import type { TaskRestore } from "./task_state.ts";

/** Where a job module comes from. */
export type JobModuleSource =
  /** A module URL every slot can import (the embedded cluster: same files). */
  | { kind: "url"; url: string }
  /** A bundle in the master's blob store, by content hash (see `blob.ts`). */
  | { kind: "blob"; key: string };

/** The job a slot imports to rebuild the graph. */
export interface JobDeployment {
  readonly jobId: string;
  readonly jobName: string;
  readonly module: JobModuleSource;
  readonly args: readonly string[];
  readonly defaults: EnvironmentDefaults;
  /** The client's fingerprint of the graph; the slot's must equal it. */
  readonly fingerprint: string;
  /**
   * The Deno permissions of the job's code in its slots (the sandbox);
   * undefined only for an embedded cluster's own jobs, whose slots then have
   * the program's permissions (a bundle is never run without a sandbox).
   */
  readonly permissions?: JobPermissions;
}

/** Where a task's partner lives: a process (data server) and its address. */
export interface PeerLocation {
  /** Id of the process's network environment: equal ids mean in-process channels. */
  readonly processId: string;
  /** Base URL of the data server (`http://host:port`). */
  readonly dataAddress: string;
  /** The worker that runs the peer: several workers may share a process (`spate local`). */
  readonly workerId: string;
  /** The slot of that worker that runs the peer (same worker and slot: an in-slot channel). */
  readonly slotIndex: number;
}

/**
 * Which side of a channel between two processes dials, as the master decides
 * it from the workers' reachability (`--no-inbound`): data and credits flow
 * the same way whatever the direction of the connection.
 */
export type ChannelRoute =
  /** The consumer dials the producer (the producer's worker accepts connections). */
  | { readonly dial: "consumer" }
  /** The producer dials the consumer (only the consumer's worker accepts connections). */
  | { readonly dial: "producer" }
  /**
   * Neither accepts: both dial the relay at `relay` (a `--relay` worker's
   * data address, or "" for the master the worker registered with).
   */
  | { readonly dial: "relay"; readonly relay: string };

/** One channel of an exchange, producer subtask -> consumer subtask. */
export interface ChannelDeployment {
  /** See `channelIdOf` in `ids.ts`. */
  readonly channelId: string;
  /** The other end's location (the consumer for outputs, the producer for inputs). */
  readonly peer: PeerLocation;
  /** Who dials whom between processes; absent: the consumer dials. */
  readonly route?: ChannelRoute;
}

/** The channels of one job edge at one subtask. */
export interface EdgeDeployment {
  readonly edgeId: number;
  readonly channels: ChannelDeployment[];
}

/** One subtask of one attempt, for the TaskExecutor that runs it. */
export interface TaskDeployment {
  /** See `taskIdOf` in `ids.ts`. */
  readonly taskId: string;
  readonly attempt: number;
  readonly job: JobDeployment;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  /** The TaskExecutor to run in (what an in-slot channel's peer must match, with the slot). */
  readonly workerId: string;
  /** Slot of the TaskExecutor to run in. */
  readonly slotIndex: number;
  /** The slot's share of its worker's managed memory. */
  readonly managedMemoryBytes: number;
  /** How barriers are aligned at the task's inputs. */
  readonly checkpointMode: CheckpointMode;
  /** The job's checkpoint directory (`<root>/<jobId>`); absent for batch jobs. */
  readonly checkpointDir?: string;
  /** Periodic checkpoints every this many ms (0 or absent: savepoints only). */
  readonly checkpointIntervalMs?: number;
  /** The state to start from (failover, savepoint). */
  readonly restore?: TaskRestore;
  readonly inputs: EdgeDeployment[];
  readonly outputs: EdgeDeployment[];
  /** The network limits the job overrides; the worker's defaults apply to the rest. */
  readonly network: NetworkTuning;
  /** The job's buffer timeout (resolved by the client). */
  readonly bufferTimeoutMs: number;
  /** Receives task states, metrics and collected records. */
  readonly jobMaster: ActorRef<JobMasterMessage>;
}
