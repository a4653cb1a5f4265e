/**
 * The ids the master hands out and every side reads: jobs, attempts, tasks
 * and channels. Their format is defined here once; other code treats them as
 * opaque strings except through these functions.
 * @module
 */

/**
 * A new job id: 32 hex digits.
 *
 * @example
 * ```ts
 * import { newJobId } from "./ids.ts";
 * console.assert(/^[0-9a-f]{32}$/.test(newJobId()));
 * ```
 */
export function newJobId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * The id of one attempt (one deployment after a start or restart) of a job:
 * `<jobId>-<attempt>`. A slot imports the job module once per attempt.
 *
 * @example
 * ```ts
 * import { attemptIdOf } from "./ids.ts";
 * console.assert(attemptIdOf("j1", 2) === "j1-2");
 * ```
 */
export function attemptIdOf(jobId: string, attempt: number): string {
  return `${jobId}-${attempt}`;
}

/** The job id of an attempt id (the inverse of {@linkcode attemptIdOf}). */
export function jobIdOfAttempt(attemptId: string): string {
  return attemptId.replace(/-\d+$/, "");
}

/**
 * The id of a subtask's task: `<jobId>-<vertexId>-<subtask>`.
 *
 * @example
 * ```ts
 * import { taskIdOf } from "./ids.ts";
 * console.assert(taskIdOf("j1", 3, 0) === "j1-3-0");
 * ```
 */
export function taskIdOf(jobId: string, vertexId: number, subtask: number): string {
  return `${jobId}-${vertexId}-${subtask}`;
}

/**
 * The vertex and subtask of a task id of job `jobId` (see {@linkcode taskIdOf}).
 *
 * @example
 * ```ts
 * import { parseTaskId, taskIdOf } from "./ids.ts";
 * const { vertexId, subtaskIndex } = parseTaskId("j1", taskIdOf("j1", 3, 1));
 * console.assert(vertexId === 3 && subtaskIndex === 1);
 * ```
 */
export function parseTaskId(
  jobId: string,
  taskId: string,
): { vertexId: number; subtaskIndex: number } {
  const [vertexId, subtaskIndex] = taskId.slice(jobId.length + 1).split("-").map(Number);
  return { vertexId, subtaskIndex };
}

/**
 * The id of the channel from `producer` to `consumer` on job edge `edgeId` in
 * one attempt: `<jobId>.<attempt>.<edgeId>.<producer>.<consumer>`. Both ends
 * of a channel find each other by it.
 *
 * @example
 * ```ts
 * import { channelIdOf, isChannelOfJob } from "./ids.ts";
 * console.assert(isChannelOfJob(channelIdOf("j1", 0, 2, 0, 1), "j1"));
 * ```
 */
export function channelIdOf(
  jobId: string,
  attempt: number,
  edgeId: number,
  producer: number,
  consumer: number,
): string {
  return `${jobId}.${attempt}.${edgeId}.${producer}.${consumer}`;
}

/**
 * Whether `id` has the form of a channel id (see {@linkcode channelIdOf}).
 *
 * @example
 * ```ts
 * import { channelIdOf, isChannelId } from "./ids.ts";
 * console.assert(isChannelId(channelIdOf("j1", 0, 2, 0, 1)) && !isChannelId("no.such.channel"));
 * ```
 */
export function isChannelId(id: string): boolean {
  return /^[^.\s]{1,128}\.\d{1,9}\.\d{1,9}\.\d{1,9}\.\d{1,9}$/.test(id);
}

/** Whether channel `channelId` belongs to job `jobId` (any attempt). */
export function isChannelOfJob(channelId: string, jobId: string): boolean {
  return channelId.startsWith(`${jobId}.`);
}
