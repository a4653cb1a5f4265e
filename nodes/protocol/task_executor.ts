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
  | { type: "submitTask"; task: TaskDeployment; term?: number }
  /** From a JobMaster: cancel the job's tasks and free their slots. */
  | { type: "cancelJob"; jobId: string; term?: number }
  | { type: "releaseJob"; jobId: string; term?: number }
  /** From its process or itself: the master is gone; drop every job. */
  | { type: "masterLost"; reason: string }
  /** From a JobMaster's checkpoint coordinator, for a source task. */
  | { type: "triggerCheckpoint"; taskId: string; barrier: BarrierInfo; term?: number }
  | {
    type: "notifyCheckpointComplete";
    jobId: string;
    attempt: number;
    checkpointId: number;
    term?: number;
  };

/** The replies of the TaskExecutor's ask-able messages. */
export interface TaskExecutorReplies {
  connect: RegistrationReply;
}

/** The schema every TaskExecutorMessage is checked against. */
export const TASK_EXECUTOR_SCHEMA = defineSchema<TaskExecutorMessage>()({
  connect: { rm: "ref" },
  heartbeat: { fence: "string", "term?": "int" },
  submitTask: { task: "object", "term?": "int" },
  cancelJob: { jobId: "string", "term?": "int" },
  releaseJob: { jobId: "string", "term?": "int" },
  masterLost: { reason: "string" },
  triggerCheckpoint: { taskId: "string", barrier: "object", "term?": "int" },
  notifyCheckpointComplete: {
    jobId: "string",
    attempt: "int",
    checkpointId: "int",
    "term?": "int",
  },
});

/**
 * A TaskExecutor's ref that stamps the leader's `term` on every message, so
 * the worker can refuse the commands of a deposed leader (Flink's fenced RPC):
 * the ResourceManager hands this ref, not the raw one, to the JobMasters in
 * their slot grants. One per worker, so refs compare equal across grants.
 *
 * @example
 * ```ts
 * import type { ActorRef } from "../rpc/actor.ts";
 * import { fencedTaskExecutor, type TaskExecutorMessage } from "./task_executor.ts";
 * function cancel(te: ActorRef<TaskExecutorMessage>): void {
 *   fencedTaskExecutor(te, 7).tell({ type: "cancelJob", jobId: "j1" }); // arrives with term 7
 * }
 * ```
 */
export function fencedTaskExecutor(
  ref: ActorRef<TaskExecutorMessage>,
  term: number,
): ActorRef<TaskExecutorMessage> {
  const stamp = (m: TaskExecutorMessage) =>
    (FENCED_TYPES.has(m.type) ? { ...m, term } : m) as TaskExecutorMessage;
  return {
    path: ref.path,
    systemId: ref.systemId,
    tell: (message) => ref.tell(stamp(message)),
    ask: (message, timeoutMs) => ref.ask(stamp(message), timeoutMs),
  };
}

/** The messages that carry a leader's term (those a master sends). */
const FENCED_TYPES: ReadonlySet<TaskExecutorMessage["type"]> = new Set(
  Object.entries(TASK_EXECUTOR_SCHEMA)
    .filter(([, fields]) => "term?" in fields)
    .map(([type]) => type as TaskExecutorMessage["type"]),
);

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
