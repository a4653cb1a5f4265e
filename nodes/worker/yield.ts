/**
 * Yields to the event loop between source batches, so channel messages,
 * control messages (checkpoint triggers), finished file operations and
 * timers run.
 *
 * The turn is `setImmediate` (~2 us), with a burst of them every few
 * milliseconds. One immediate alone is not enough: while a turn is always
 * pending, Deno's runtime (a tokio current-thread scheduler) takes work woken
 * from other threads (a port's message, a finished `Deno.mkdir`) only every
 * ~31 of its ticks, and a tick here is a whole source batch. Measured in a
 * slot worker running 5 ms batches, messages from the main thread waited
 * 68 ms at the median and 166 ms at most (a checkpoint's write, a few awaited
 * file operations, took ~1 s); with a burst of 32 chained immediates every
 * 4 ms they wait 3 ms at the median and 5 ms at most, and the worker stayed
 * as busy (98%). The alternatives cost more: `setTimeout(0)` sleeps ~2.1 ms
 * per turn in Deno, and a self-posted MessageChannel message let other ports'
 * messages wait 33 ms at the median.
 * @module
 */

import { setImmediate } from "node:timers";

/** Chained turns that make the scheduler take work woken from other threads. */
const BURST_TURNS = 32;
/** Milliseconds between bursts: about the longest a message from another thread waits. */
const BURST_INTERVAL_MS = 4;

let lastBurst = -Infinity;
let bursts = 0;

/**
 * Bursts begun so far in this thread. A message from another thread that is
 * queued when a burst begins is taken before that burst ends; tests count
 * bursts to check it, which no machine's speed changes.
 */
export function burstsBegun(): number {
  return bursts;
}

/**
 * Resolves after pending macrotasks (port messages, timers, finished
 * operations) had a turn.
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
  const now = performance.now();
  let turns = 1;
  if (now - lastBurst >= BURST_INTERVAL_MS) {
    lastBurst = now;
    turns = BURST_TURNS;
    bursts++;
  }
  return new Promise((resolve) => {
    const turn = () => {
      if (--turns === 0) resolve();
      else setImmediate(turn);
    };
    setImmediate(turn);
  });
}
