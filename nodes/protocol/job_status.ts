/**
 * The states of a job and of each of its subtasks, as the JobMaster, the
 * TaskExecutors, the client and the REST API name them. Each union is one
 * `const` array; the type derives from it.
 * @module
 */

/** States of one subtask (Flink's ExecutionState). */
export const EXECUTION_STATES = [
  "CREATED",
  "SCHEDULED",
  "DEPLOYING",
  "INITIALIZING",
  "RUNNING",
  "FINISHED",
  "CANCELING",
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

/** States of a job (Flink's JobStatus). */
export const JOB_STATES = [
  "CREATED",
  "RUNNING",
  "RESTARTING",
  "FINISHED",
  "FAILING",
  "FAILED",
  "CANCELLING",
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
