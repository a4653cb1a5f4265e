/**
 * What the ResourceManager (the master's SlotManager and heartbeat monitor)
 * hears from workers, JobMasters and the REST API, and what it answers.
 * @module
 */

import type { ActorRef } from "../rpc/actor.ts";
import { defineFields, defineSchema } from "../rpc/message_schema.ts";
import { typedAsk } from "../rpc/typed_ask.ts";
import type { ClusterOverview } from "./rest.ts";
import type { TaskExecutorMessage } from "./task_executor.ts";

/** A worker as it registers. */
export interface WorkerRegistration {
  readonly workerId: string;
  readonly name: string;
  readonly slots: number;
  readonly managedMemoryBytes: number;
  readonly processId: string;
  readonly dataAddress: string;
  /** False for a worker started with `--no-inbound`: it dials out and accepts no connections. */
  readonly inbound?: boolean;
  /** True for a worker started with `--relay`: it relays data between unreachable workers. */
  readonly relay?: boolean;
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
  /** False when the slot's worker accepts no connections (`--no-inbound`). */
  readonly inbound?: boolean;
  /**
   * Where data goes when neither end of a channel accepts connections: a
   * `--relay` worker's data address, or "" for the master the worker registered with.
   */
  readonly relayAddress?: string;
}

/** What registration answers: the master's fencing token and heartbeat settings. */
export interface RegistrationReply {
  readonly fence: string;
  /**
   * The leader's term with `--ha etcd` (its etcd fencing token: larger is
   * newer); absent without HA. A worker refuses a master of an older term.
   */
  readonly term?: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

/** Messages of the ResourceManager. */
export type ResourceManagerMessage =
  /** From a TaskExecutor: its slots are available (asked; answers RegistrationReply). */
  | { type: "registerWorker"; worker: WorkerRegistration }
  /** From a TaskExecutor: the answer to a heartbeat, with the fence it carried. */
  | { type: "heartbeatReply"; workerId: string; fence?: string }
  | { type: "workerDisconnected"; workerId: string; reason: string }
  /** From the master's server: the connection to a peer system closed. */
  | { type: "peerDisconnected"; systemId: string; reason: string }
  /** From a JobMaster (asked; answers once `count` slots are free or fails after `timeoutMs`). */
  | { type: "allocateSlots"; jobId: string; count: number; timeoutMs: number }
  | { type: "releaseSlots"; jobId: string }
  /** From the REST API (asked). */
  | { type: "overview" }
  /** Its own timer: heartbeats and slot request timeouts. */
  | { type: "tick" }
  /** Its own probe of a worker's data address: answered or not (`--no-inbound` then). */
  | { type: "workerProbed"; workerId: string; reachable: boolean };

/** The replies of the ResourceManager's ask-able messages. */
export interface ResourceManagerReplies {
  registerWorker: RegistrationReply;
  allocateSlots: SlotGrant[];
  overview: ClusterOverview;
}

/** The schema every ResourceManagerMessage is checked against. */
export const RESOURCE_MANAGER_SCHEMA = defineSchema<ResourceManagerMessage>()({
  registerWorker: { worker: "object" },
  heartbeatReply: { workerId: "string", "fence?": "string" },
  workerDisconnected: { workerId: "string", reason: "string" },
  peerDisconnected: { systemId: "string", reason: "string" },
  allocateSlots: { jobId: "string", count: "int", timeoutMs: "int" },
  releaseSlots: { jobId: "string" },
  overview: {},
  tick: {},
  workerProbed: { workerId: "string", reachable: "boolean" },
});

/** The fields of a worker registration (inside `registerWorker`). */
export const WORKER_REGISTRATION_FIELDS = defineFields<WorkerRegistration>()({
  workerId: "string",
  name: "string",
  slots: "int",
  managedMemoryBytes: "int",
  processId: "string",
  dataAddress: "string",
  "inbound?": "boolean",
  "relay?": "boolean",
  taskExecutor: "ref",
});

/**
 * Asks the ResourceManager; the reply type follows from the message.
 *
 * @example
 * ```ts
 * import type { ActorRef } from "../rpc/actor.ts";
 * import { askResourceManager, type ResourceManagerMessage, type SlotGrant } from "./resource_manager.ts";
 * async function twoSlots(rm: ActorRef<ResourceManagerMessage>): Promise<SlotGrant[]> {
 *   return await askResourceManager(rm, {
 *     type: "allocateSlots", jobId: "j1", count: 2, timeoutMs: 30_000,
 *   });
 * }
 * ```
 */
export const askResourceManager = typedAsk<ResourceManagerMessage, ResourceManagerReplies>();
