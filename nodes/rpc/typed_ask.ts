/**
 * Asks whose reply type follows from the message: a protocol lists the reply
 * of each ask-able message type once, and callers no longer name (or cast)
 * the type of the answer.
 * @module
 */

import type { ActorRef } from "./actor.ts";

/**
 * Asks an actor of protocol `M` whose replies are `R` (message type -> reply
 * type); only message types listed in `R` can be asked.
 */
export type TypedAsk<M extends { type: string }, R> = <K extends keyof R & M["type"]>(
  ref: ActorRef<M>,
  message: M & { type: K },
  timeoutMs?: number,
) => Promise<R[K]>;

/**
 * The ask function of protocol `M` with replies `R`.
 *
 * @example
 * ```ts
 * import { typedAsk } from "./typed_ask.ts";
 * type Counter = { type: "increment" } | { type: "read" };
 * interface CounterReplies { read: number }
 * const askCounter = typedAsk<Counter, CounterReplies>();
 * // const n: number = await askCounter(ref, { type: "read" });
 * ```
 */
export function typedAsk<M extends { type: string }, R>(): TypedAsk<M, R> {
  return <K extends keyof R & M["type"]>(
    ref: ActorRef<M>,
    message: M & { type: K },
    timeoutMs?: number,
  ) => ref.ask<R[K]>(message, timeoutMs);
}
