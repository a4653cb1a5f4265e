/**
 * What a TaskExecutor (a worker's actor) hears from the ResourceManager, the
 * JobMasters and the process that hosts it.
 * @module
 */

import type { BarrierInfo } from "../../core/checkpoint/barrier_aligner.ts";
import type { ActorRef } from "../rpc/actor.ts";
import { defineSchema } from "../rpc/message_schema.ts";
import { typedAsk } from "../rpc/typed_ask.ts";
import type { TaskDeployment } from "./deployment.ts";
import type { RegistrationReply, ResourceManagerMessage } from "./resource_manager.ts";

/** Messages of a TaskExecutor. */
export type TaskExecutorMessage =
  /** From its process: register with this ResourceManager (asked; answers RegistrationReply). */
  | { type: "connect"; rm: ActorRef<ResourceManagerMessage> }
  /** From the ResourceManager, with its fencing token (and its leader term with HA). */
  | { type: "heartbeat"; fence: string; term?: number }
  /** From a JobMaster: run this subtask. */
  | { type: "submitTask"; task: TaskDeployment }
  /** From a JobMaster: cancel the job's tasks and free their slots. */
  | { type: "cancelJob"; jobId: string }
  | { type: "releaseJob"; jobId: string }
  /** From its process or itself: the master is gone; drop every job. */
  | { type: "masterLost"; reason: string }
  /** From a JobMaster's checkpoint coordinator, for a source task. */
  | { type: "triggerCheckpoint"; taskId: string; barrier: BarrierInfo }
  | { type: "notifyCheckpointComplete"; jobId: string; attempt: number; checkpointId: number };

/** The replies of the TaskExecutor's ask-able messages. */
export interface TaskExecutorReplies {
  connect: RegistrationReply;
}

/** The schema every TaskExecutorMessage is checked against. */
export const TASK_EXECUTOR_SCHEMA = defineSchema<TaskExecutorMessage>()({
  connect: { rm: "ref" },
  heartbeat: { fence: "string", "term?": "int" },
  submitTask: { task: "object" },
  cancelJob: { jobId: "string" },
  releaseJob: { jobId: "string" },
  masterLost: { reason: "string" },
  triggerCheckpoint: { taskId: "string", barrier: "object" },
  notifyCheckpointComplete: { jobId: "string", attempt: "int", checkpointId: "int" },
});

/**
 * Asks a TaskExecutor; the reply type follows from the message.
 *
 * @example
 * ```ts
 * import type { ActorRef } from "../rpc/actor.ts";
 * import type { ResourceManagerMessage } from "./resource_manager.ts";
 * import { askTaskExecutor, type TaskExecutorMessage } from "./task_executor.ts";
 * async function connect(
 *   te: ActorRef<TaskExecutorMessage>,
 *   rm: ActorRef<ResourceManagerMessage>,
 * ): Promise<number> {
 *   const registration = await askTaskExecutor(te, { type: "connect", rm });
 *   return registration.heartbeatIntervalMs;
 * }
 * ```
 */
export const askTaskExecutor = typedAsk<TaskExecutorMessage, TaskExecutorReplies>();
