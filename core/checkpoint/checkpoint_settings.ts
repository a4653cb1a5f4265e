/**
 * Checkpointing configuration, its defaults and its validation (both from the
 * options registry).
 * @module
 */

import { jobGroup, OPTIONS, submissionRange } from "../config/options.ts";

/** Checkpointing configuration. */
export interface CheckpointSettings {
  /** Time between periodic triggers; 0 disables periodic checkpoints (savepoints still work). */
  readonly intervalMs: number;
  /** A checkpoint not complete this long after its trigger is aborted (and counts as a failure). */
  readonly timeoutMs: number;
  /** Least time between the last completion and the next periodic trigger. */
  readonly minPauseMs: number;
  /** Most checkpoints in progress at once (savepoints count but are never held back). */
  readonly maxConcurrent: number;
  /** Consecutive checkpoint failures tolerated; one more fails the job. */
  readonly tolerableFailures: number;
}

/** The settings besides `intervalMs` (which every job chooses), by field. */
const TUNING = jobGroup("checkpointConfig");

/** Lower bound of each setting (all are integers). */
const MINIMUM: Record<string, number> = {
  intervalMs: submissionRange(OPTIONS.checkpointIntervalMs)[0],
  ...Object.fromEntries([...TUNING].map(([name, o]) => [name, o.min ?? 0])),
};

/**
 * Fills in the defaults and checks every setting; throws a RangeError naming the bad one.
 *
 * @example
 * ```ts
 * import { resolveCheckpointSettings } from "./checkpoint_settings.ts";
 * resolveCheckpointSettings({ intervalMs: 5000 }).timeoutMs; // 600000
 * ```
 */
export function resolveCheckpointSettings(
  settings: Partial<CheckpointSettings> & Pick<CheckpointSettings, "intervalMs">,
): CheckpointSettings {
  const given = settings as Record<string, number | undefined>;
  const resolved: Record<string, number> = { intervalMs: settings.intervalMs };
  for (const [name, o] of TUNING) resolved[name] = given[name] ?? (o.default as number);
  for (const [name, min] of Object.entries(MINIMUM)) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`checkpoint setting ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  return Object.freeze(resolved as unknown as CheckpointSettings);
}
