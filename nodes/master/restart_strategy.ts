/**
 * Restart strategies: whether a failed job may restart, and after how long
 * (after Flink's RestartBackoffTimeStrategy family). Deterministic: the caller
 * passes the time.
 * @module
 */

/** Decides restarts of one job. */
export interface RestartStrategy {
  /** Records a failure at `nowMs`; returns the delay before restarting, or undefined to give up. */
  onFailure(nowMs: number): number | undefined;
  /** A readable description, e.g. for the REST API. */
  describe(): string;
}

/** Restart at most `maxAttempts` times, `delayMs` apart. */
export function fixedDelay(maxAttempts: number, delayMs: number): RestartStrategy {
  let attempts = 0;
  return {
    onFailure: () => (attempts++ < maxAttempts ? delayMs : undefined),
    describe: () => `fixed-delay (${maxAttempts} attempts, ${delayMs} ms)`,
  };
}

/**
 * Restart forever with a delay that grows by `multiplier` up to `maxDelayMs`,
 * back to `initialDelayMs` once the job ran `resetAfterMs` without failing.
 */
export function exponentialDelay(
  initialDelayMs: number,
  maxDelayMs: number,
  multiplier = 2,
  resetAfterMs = 60_000,
): RestartStrategy {
  let delay = initialDelayMs;
  let lastFailure = -Infinity;
  return {
    onFailure(nowMs) {
      if (nowMs - lastFailure >= resetAfterMs) delay = initialDelayMs;
      lastFailure = nowMs;
      const d = delay;
      delay = Math.min(maxDelayMs, delay * multiplier);
      return d;
    },
    describe: () => `exponential-delay (${initialDelayMs}..${maxDelayMs} ms, x${multiplier})`,
  };
}

/** Restart unless more than `maxFailures` failures fall within `intervalMs`. */
export function failureRate(
  maxFailures: number,
  intervalMs: number,
  delayMs: number,
): RestartStrategy {
  const failures: number[] = [];
  return {
    onFailure(nowMs) {
      failures.push(nowMs);
      while (failures.length > 0 && nowMs - failures[0] > intervalMs) failures.shift();
      return failures.length > maxFailures ? undefined : delayMs;
    },
    describe: () => `failure-rate (${maxFailures} per ${intervalMs} ms, ${delayMs} ms)`,
  };
}

/** Never restart. */
export function noRestart(): RestartStrategy {
  return { onFailure: () => undefined, describe: () => "none" };
}

/**
 * Parses a strategy spec: `none`, `fixed-delay[:attempts[:delayMs]]`,
 * `exponential-delay[:initialMs[:maxMs]]`, `failure-rate[:max[:intervalMs[:delayMs]]]`.
 */
export function parseRestartStrategy(spec: string): RestartStrategy {
  const [name, ...rest] = spec.split(":");
  const nums = rest.map((x) => {
    const n = Number(x);
    if (!Number.isFinite(n) || n < 0) {
      throw new Error(`bad number '${x}' in restart strategy '${spec}'`);
    }
    return n;
  });
  switch (name) {
    case "none":
      return noRestart();
    case "fixed-delay":
      return fixedDelay(nums[0] ?? 3, nums[1] ?? 1000);
    case "exponential-delay":
      return exponentialDelay(nums[0] ?? 1000, nums[1] ?? 60_000);
    case "failure-rate":
      return failureRate(nums[0] ?? 3, nums[1] ?? 60_000, nums[2] ?? 1000);
    default:
      throw new Error(
        `unknown restart strategy '${spec}': use none, fixed-delay, exponential-delay or failure-rate`,
      );
  }
}
