/**
 * The states of a job and of each of its subtasks, as the JobMaster, the
 * TaskExecutors, the client and the REST API name them, and the transitions
 * between them that are legal (after Flink's JobStatus and ExecutionState).
 * Each union is one `const` array; the type derives from it.
 *
 * spate has no CANCELLING/FAILING job phase nor CANCELING/INITIALIZING
 * subtask state: a job's tasks are cancelled by freeing their slots, without
 * waiting for an acknowledgement, and a task reports RUNNING once its state is
 * restored. (A cancel request is answered "CANCELLING" by the REST API: that
 * is the acknowledgement of the request, not a job state.)
 * @module
 */

/** States of one subtask (Flink's ExecutionState, without CANCELING and INITIALIZING). */
export const EXECUTION_STATES = [
  "CREATED",
  "SCHEDULED",
  "DEPLOYING",
  "RUNNING",
  "FINISHED",
  "CANCELED",
  "FAILED",
] as const;

/**
 * A state of one subtask.
 *
 * @example
 * ```ts
 * import { EXECUTION_STATES, type ExecutionState } from "./job_status.ts";
 * const s: ExecutionState = "RUNNING";
 * console.assert(EXECUTION_STATES.includes(s));
 * ```
 */
export type ExecutionState = typeof EXECUTION_STATES[number];

/** States of a job (Flink's JobStatus, without FAILING, CANCELLING and the HA states). */
export const JOB_STATES = [
  "CREATED",
  "RUNNING",
  "RESTARTING",
  "FINISHED",
  "FAILED",
  "CANCELED",
] as const;

/**
 * A state of a job.
 *
 * @example
 * ```ts
 * import { JOB_STATES, type JobState } from "./job_status.ts";
 * const s: JobState = "FINISHED";
 * console.assert(JOB_STATES.includes(s));
 * ```
 */
export type JobState = typeof JOB_STATES[number];

/**
 * The legal transitions of a subtask:
 *
 * ```
 * CREATED -> SCHEDULED -> DEPLOYING -> RUNNING -> FINISHED
 *    any state but a terminal one   -> CANCELED | FAILED
 * ```
 * FINISHED, CANCELED and FAILED are terminal: a new attempt starts from fresh
 * subtasks.
 */
export const EXECUTION_TRANSITIONS: Readonly<Record<ExecutionState, readonly ExecutionState[]>> = {
  CREATED: ["SCHEDULED", "CANCELED", "FAILED"],
  SCHEDULED: ["DEPLOYING", "CANCELED", "FAILED"],
  DEPLOYING: ["RUNNING", "CANCELED", "FAILED"],
  RUNNING: ["FINISHED", "CANCELED", "FAILED"],
  FINISHED: [],
  CANCELED: [],
  FAILED: [],
};

/**
 * The legal transitions of a job:
 *
 * ```
 * CREATED -> RUNNING -> FINISHED
 *               |  ^
 *               v  |
 *            RESTARTING (again on a further failure during the restart delay)
 * CREATED | RUNNING | RESTARTING -> FAILED | CANCELED
 * ```
 * FINISHED, FAILED and CANCELED are terminal.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  CREATED: ["RUNNING", "FAILED", "CANCELED"],
  RUNNING: ["FINISHED", "RESTARTING", "FAILED", "CANCELED"],
  RESTARTING: ["RUNNING", "RESTARTING", "FAILED", "CANCELED"],
  FINISHED: [],
  FAILED: [],
  CANCELED: [],
};

/** A state change that the transition tables forbid: a bug in the caller. */
export class IllegalTransitionError extends Error {
  override readonly name = "IllegalTransitionError";
}

/**
 * Whether a subtask may go from `from` to `to` (false for unknown states, so
 * a peer's report can be checked before it is trusted).
 *
 * @example
 * ```ts
 * import { isLegalExecutionTransition } from "./job_status.ts";
 * console.assert(isLegalExecutionTransition("DEPLOYING", "RUNNING"));
 * console.assert(!isLegalExecutionTransition("FINISHED", "RUNNING"));
 * ```
 */
export function isLegalExecutionTransition(from: string, to: string): boolean {
  return Object.hasOwn(EXECUTION_TRANSITIONS, from) &&
    (EXECUTION_TRANSITIONS[from as ExecutionState] as readonly string[]).includes(to);
}

/**
 * Whether a job may go from `from` to `to`.
 *
 * @example
 * ```ts
 * import { isLegalJobTransition } from "./job_status.ts";
 * console.assert(isLegalJobTransition("RUNNING", "RESTARTING"));
 * console.assert(!isLegalJobTransition("CANCELED", "FAILED"));
 * ```
 */
export function isLegalJobTransition(from: JobState, to: JobState): boolean {
  return Object.hasOwn(JOB_TRANSITIONS, from) && JOB_TRANSITIONS[from].includes(to);
}

/**
 * Throws an IllegalTransitionError naming both states unless a subtask may go
 * from `from` to `to`. For the master's own decisions; a state reported by a
 * worker is checked with `isLegalExecutionTransition` first.
 *
 * @example
 * ```ts
 * import { checkExecutionTransition } from "./job_status.ts";
 * checkExecutionTransition("RUNNING", "FINISHED"); // fine
 * try {
 *   checkExecutionTransition("FINISHED", "RUNNING");
 * } catch (e) {
 *   console.assert((e as Error).name === "IllegalTransitionError");
 * }
 * ```
 */
export function checkExecutionTransition(
  from: ExecutionState,
  to: ExecutionState,
  subject = "subtask",
): void {
  if (!isLegalExecutionTransition(from, to)) {
    throw new IllegalTransitionError(
      `${subject}: illegal transition ${from} -> ${to} (legal from ${from}: ${
        EXECUTION_TRANSITIONS[from]?.join(", ") || "none"
      })`,
    );
  }
}

/**
 * Throws an IllegalTransitionError naming both states unless a job may go from
 * `from` to `to`.
 *
 * @example
 * ```ts
 * import { checkJobTransition } from "./job_status.ts";
 * checkJobTransition("CREATED", "RUNNING"); // fine
 * try {
 *   checkJobTransition("FINISHED", "RESTARTING", "job j1");
 * } catch (e) {
 *   console.assert((e as Error).message.includes("FINISHED -> RESTARTING"));
 * }
 * ```
 */
export function checkJobTransition(from: JobState, to: JobState, subject = "job"): void {
  if (!isLegalJobTransition(from, to)) {
    throw new IllegalTransitionError(
      `${subject}: illegal transition ${from} -> ${to} (legal from ${from}: ${
        JOB_TRANSITIONS[from]?.join(", ") || "none"
      })`,
    );
  }
}

/**
 * Whether a job state is terminal (FINISHED, FAILED, CANCELED).
 *
 * @example
 * ```ts
 * import { isTerminalJobState } from "./job_status.ts";
 * console.assert(isTerminalJobState("CANCELED") && !isTerminalJobState("RESTARTING"));
 * ```
 */
export function isTerminalJobState(s: JobState): boolean {
  return JOB_TRANSITIONS[s].length === 0;
}

/**
 * Whether a subtask state is terminal (FINISHED, CANCELED, FAILED).
 *
 * @example
 * ```ts
 * import { isTerminalExecutionState } from "./job_status.ts";
 * console.assert(isTerminalExecutionState("FAILED") && !isTerminalExecutionState("RUNNING"));
 * ```
 */
export function isTerminalExecutionState(s: ExecutionState): boolean {
  return EXECUTION_TRANSITIONS[s].length === 0;
}
