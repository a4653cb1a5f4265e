/**
 * Failed authentications per peer (remote address): after `maxFailures`
 * within `windowMs`, every request of that peer that needs authentication is
 * answered 429 until the window passes, so tokens and the cluster secret
 * cannot be guessed at network speed. The clock is injected.
 * @module
 */

/** Most peers tracked at once; beyond, the one seen longest ago is forgotten. */
export const MAX_TRACKED_PEERS = 10_000;

/**
 * Counts failures per peer in a sliding window.
 *
 * @example
 * ```ts
 * import { FailedAuthLimiter } from "./auth_failures.ts";
 * let now = 0;
 * const limiter = new FailedAuthLimiter(2, 1000, () => now);
 * limiter.recordFailure("10.0.0.1");
 * limiter.recordFailure("10.0.0.1");
 * console.assert(limiter.retryAfterMs("10.0.0.1") === 1000);
 * now = 1000;
 * console.assert(limiter.retryAfterMs("10.0.0.1") === undefined);
 * ```
 */
export class FailedAuthLimiter {
  /** Peer -> times of its recent failures, oldest first; Map order is last-failure order. */
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly maxFailures: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Notes one failed authentication of `peer`. */
  recordFailure(peer: string): void {
    const times = this.recent(peer);
    times.push(this.now());
    if (times.length > this.maxFailures) times.shift();
    this.failures.delete(peer);
    this.failures.set(peer, times);
    if (this.failures.size > MAX_TRACKED_PEERS) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }

  /** How long `peer` must wait before trying again, or undefined if it may try now. */
  retryAfterMs(peer: string): number | undefined {
    const times = this.recent(peer);
    if (times.length < this.maxFailures) return undefined;
    return times[0] + this.windowMs - this.now();
  }

  private recent(peer: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(peer) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(peer);
    return times;
  }
}
