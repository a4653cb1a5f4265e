/**
 * Where and how a job's checkpoints are kept: the options of
 * `JobCheckpoints`, with the defaults a submission leaves to the master.
 * @module
 */

import type { CompletedCheckpoint } from "../../core/checkpoint/checkpoint_effects.ts";
import { OPTIONS } from "../../core/config/options.ts";
import type { CheckpointTuning } from "../../core/graph/job_plan.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";

/**
 * Where checkpoints go when a job names no directory: under the master's working
 * directory, read when a job starts (the CLI moves to the caller's directory after
 * this module loads).
 */
export function defaultCheckpointRoot(): string {
  return `${Deno.cwd()}/${OPTIONS.checkpointDir.default}`;
}

/** Where savepoints go when a request names no directory (the working directory, read at use). */
export function defaultSavepointRoot(): string {
  return `${Deno.cwd()}/${OPTIONS.savepointDir.default}`;
}

/** A job's checkpoint options from its submission, defaults filled in. */
export function checkpointOptionsOf(
  jobId: string,
  s: JobSubmission,
): Omit<JobCheckpointOptions, "attempt" | "onStored" | "onCompleted"> {
  return {
    jobId,
    intervalMs: s.checkpointIntervalMs ?? OPTIONS.checkpointIntervalMs.default,
    tuning: s.checkpointConfig,
    root: s.checkpointDir ?? defaultCheckpointRoot(),
    retained: s.retainedCheckpoints ?? OPTIONS.retainedCheckpoints.default,
    savepointRoot: defaultSavepointRoot(),
  };
}

/** Where and how a job's checkpoints are kept. */
export interface JobCheckpointOptions {
  readonly jobId: string;
  readonly intervalMs: number;
  /** Timeout, min pause, max concurrent, tolerable failures (defaults apply). */
  readonly tuning?: CheckpointTuning;
  /** Checkpoints go to `<root>/<jobId>/chk-<id>/`. */
  readonly root: string;
  /** Completed checkpoints kept. */
  readonly retained: number;
  /** The parent of each savepoint's directory when a request names none. */
  readonly savepointRoot: string;
  /** The attempt whose tasks are notified of completions. */
  readonly attempt: () => number;
  /** Told about every stored checkpoint or savepoint (the client prints it). */
  readonly onStored?: (c: CompletedCheckpoint, stateSizeBytes: number, location: string) => void;
  /**
   * Records each completed checkpoint (not savepoint) once its metadata is
   * stored, before any task is told: with HA, a fenced write to the job
   * store. If it rejects (a deposed leader), the checkpoint fails and no
   * task commits it.
   */
  readonly onCompleted?: (checkpointId: number) => Promise<void>;
}
