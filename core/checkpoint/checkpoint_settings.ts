/**
 * Checkpointing configuration, its defaults and its validation.
 * @module
 */

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

/** Defaults for everything but `intervalMs`, which every job chooses. */
export const DEFAULT_CHECKPOINT_SETTINGS: Omit<CheckpointSettings, "intervalMs"> = Object.freeze({
  timeoutMs: 600_000,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailures: 0,
});

/** Lower bound of each setting (all are integers). */
const MINIMUM: CheckpointSettings = {
  intervalMs: 0,
  timeoutMs: 1,
  minPauseMs: 0,
  maxConcurrent: 1,
  tolerableFailures: 0,
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
  const resolved: CheckpointSettings = {
    intervalMs: settings.intervalMs,
    timeoutMs: settings.timeoutMs ?? DEFAULT_CHECKPOINT_SETTINGS.timeoutMs,
    minPauseMs: settings.minPauseMs ?? DEFAULT_CHECKPOINT_SETTINGS.minPauseMs,
    maxConcurrent: settings.maxConcurrent ?? DEFAULT_CHECKPOINT_SETTINGS.maxConcurrent,
    tolerableFailures: settings.tolerableFailures ?? DEFAULT_CHECKPOINT_SETTINGS.tolerableFailures,
  };
  for (const [name, min] of Object.entries(MINIMUM) as [keyof CheckpointSettings, number][]) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < min) {
      throw new RangeError(`checkpoint setting ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  return Object.freeze(resolved);
}
