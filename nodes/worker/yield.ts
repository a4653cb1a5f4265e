/**
 * Yields to the event loop between source batches, so channel messages,
 * control messages (checkpoint triggers) and timers run.
 *
 * The turn is `setImmediate` (measured in a slot worker doing 0.5 ms of work
 * between yields: ~2 us per turn, other ports' messages handled within 8 ms
 * at the median and 16 ms at most, timers on time). The two turns tried
 * before cost more: a self-posted MessageChannel message let other ports'
 * messages wait 33 ms at the median (65 ms at most), and `setTimeout(0)`
 * takes ~2.1 ms in Deno, which as one turn in 25 ms left source slots ~8%
 * idle.
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * Resolves after pending macrotasks (port messages, timers) had a turn.
 *
 * @example
 * ```ts
 * import { yieldToEventLoop } from "./yield.ts";
 * for (let batch = 0; batch < 3; batch++) {
 *   // ... emit a batch of records ...
 *   await yieldToEventLoop();
 * }
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
