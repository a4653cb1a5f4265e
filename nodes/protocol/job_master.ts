/**
 * What a JobMaster hears from the TaskExecutors running its tasks, from the
 * Dispatcher and from itself (answers to its own asks come back as messages,
 * so its mailbox never waits).
 * @module
 */

import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import { defineSchema } from "../rpc/message_schema.ts";
import { typedAsk } from "../rpc/typed_ask.ts";
import type { ExecutionState } from "./job_status.ts";
import type { SlotGrant } from "./resource_manager.ts";
import type { StopMode } from "../../core/checkpoint/barrier_aligner.ts";
import type {
  CancelJobResponse,
  JobDetails,
  JobExceptionsResponse,
  JobPlanResponse,
  SavepointResponse,
} from "./rest.ts";
import type { TaskCheckpointHandle, TaskRestore } from "./task_state.ts";

/** Messages of a JobMaster. */
export type JobMasterMessage =
  /** Itself, once started: ask for slots. */
  | { type: "start" }
  /** From a TaskExecutor: a task of `attempt` changed state. */
  | {
    type: "taskState";
    taskId: string;
    attempt: number;
    state: ExecutionState;
    metrics?: TaskMetrics;
    failure?: TaskFailure;
  }
  | { type: "taskMetrics"; taskId: string; attempt: number; metrics: TaskMetrics }
  /**
   * From a TaskExecutor: records a collect sink gathered for the client, as
   * CBOR (collected_cbor.ts: the RPC frames' own CBOR turns a Map into an object).
   */
  | { type: "collect"; attempt: number; collectId: number; batch: Uint8Array }
  /** From the Dispatcher: a worker was lost. */
  | { type: "workerLost"; workerId: string }
  /** Itself, after the restart delay. */
  | { type: "restart"; attempt: number }
  /** Itself: the slots (and the state to restore) for `attempt` are there. */
  | { type: "slotsGranted"; attempt: number; grants: SlotGrant[]; restore?: TaskRestore }
  | { type: "slotsRefused"; attempt: number; message: string; reason?: "notEnoughSlots" }
  /** From the Dispatcher (asked; refused with a JobConflictError once the job ended), or itself. */
  | { type: "cancel" }
  /**
   * From the Dispatcher (asked; answers once the savepoint is complete). With
   * `stop`, a stop with savepoint: the sources end after it, the job FINISHES.
   */
  | { type: "triggerSavepoint"; targetDir?: string; cancel: boolean; stop?: StopMode }
  /** From the Dispatcher (asked). */
  | { type: "details" }
  | { type: "plan" }
  | { type: "exceptions" }
  /** Its checkpoint timer. */
  | { type: "checkpointTick" }
  /** From a TaskExecutor: a task stored its state for a checkpoint. */
  | {
    type: "acknowledgeCheckpoint";
    taskId: string;
    attempt: number;
    checkpointId: number;
    handle: TaskCheckpointHandle;
  }
  | {
    type: "declineCheckpoint";
    taskId: string;
    attempt: number;
    checkpointId: number;
    reason: string;
  }
  /**
   * From a TaskExecutor (asked): a source's watermark in its alignment group
   * (absent: none yet); answered with the highest watermark it may reach.
   */
  | {
    type: "alignWatermark";
    taskId: string;
    attempt: number;
    group: string;
    watermark?: number;
    idle?: boolean;
    finished?: boolean;
    maxDriftMs: number;
    vertexId: number;
    parallelism: number;
  };

/** The replies of a JobMaster's ask-able messages. */
export interface JobMasterReplies {
  cancel: CancelJobResponse;
  triggerSavepoint: SavepointResponse;
  details: JobDetails;
  plan: JobPlanResponse;
  exceptions: JobExceptionsResponse;
  alignWatermark: { readonly maxWatermark: number };
}

/** The schema every JobMasterMessage is checked against. */
export const JOB_MASTER_SCHEMA = defineSchema<JobMasterMessage>()({
  start: {},
  restart: { attempt: "int" },
  slotsGranted: { attempt: "int", grants: "array", "restore?": "object" },
  slotsRefused: { attempt: "int", message: "string", "reason?": "string" },
  taskState: {
    taskId: "string",
    attempt: "int",
    state: "string",
    "metrics?": "object",
    "failure?": "object",
  },
  taskMetrics: { taskId: "string", attempt: "int", metrics: "object" },
  collect: { attempt: "int", collectId: "int", batch: "object" },
  workerLost: { workerId: "string" },
  cancel: {},
  triggerSavepoint: { "targetDir?": "string", cancel: "boolean", "stop?": "string" },
  details: {},
  plan: {},
  exceptions: {},
  checkpointTick: {},
  acknowledgeCheckpoint: {
    taskId: "string",
    attempt: "int",
    checkpointId: "int",
    handle: "object",
  },
  declineCheckpoint: { taskId: "string", attempt: "int", checkpointId: "int", reason: "string" },
  alignWatermark: {
    taskId: "string",
    attempt: "int",
    group: "string",
    "watermark?": "number",
    "idle?": "boolean",
    "finished?": "boolean",
    maxDriftMs: "number",
    vertexId: "int",
    parallelism: "int",
  },
});

/**
 * Asks a JobMaster; the reply type follows from the message.
 *
 * @example
 * ```ts
 * import type { ActorRef } from "../rpc/actor.ts";
 * import { askJobMaster, type JobMasterMessage } from "./job_master.ts";
 * async function stateOf(jobMaster: ActorRef<JobMasterMessage>): Promise<string> {
 *   const details = await askJobMaster(jobMaster, { type: "details" });
 *   return details.state;
 * }
 * ```
 */
export const askJobMaster = typedAsk<JobMasterMessage, JobMasterReplies>();
