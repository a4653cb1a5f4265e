/**
 * Keyed broadcast process operator: the broadcast state pattern over a keyed
 * stream (Flink's CoBroadcastWithKeyedOperator). Input 1 is keyed: its
 * records get keyed state, timers and read-only broadcast states; input 2 is
 * the broadcast stream, whose records update the broadcast states (they have
 * no key). Timers fire as in the keyed process operator, event-time ones when
 * the combined watermark passes them.
 * @module
 */

import type { KeyedBroadcastProcessFunction } from "../api/co_functions.ts";
import type { KeySelector } from "../api/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import {
  type AnyMapStateDescriptor,
  BroadcastFunctionContext,
  BroadcastStates,
  ReadOnlyBroadcastFunctionContext,
} from "./_broadcast_context.ts";
import { routeTimers } from "./function_context.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/**
 * Hands keyed records to `processElement` with their key set, broadcast
 * records to `processBroadcastElement`, and fired timers to `onTimer`.
 *
 * @example
 * ```ts
 * import { KeyedBroadcastProcessOperator } from "./keyed_broadcast_process.ts";
 * import { MapStateDescriptor } from "../api/state.ts";
 * const limits = new MapStateDescriptor<string, number>("limits");
 * const op = new KeyedBroadcastProcessOperator<string, [string, number], number, string>(
 *   {
 *     processElement([k, v], ctx, out) {
 *       if (v > (ctx.getBroadcastState(limits).get("max") ?? Infinity)) out.collect(k);
 *     },
 *     processBroadcastElement(max, ctx) {
 *       ctx.getBroadcastState(limits).put("max", max);
 *     },
 *   },
 *   ([k]) => k,
 *   [limits],
 * );
 * ```
 */
export class KeyedBroadcastProcessOperator<K, IN1, IN2, R> extends AbstractTwoInputStreamOperator<
  IN1,
  IN2,
  R,
  KeyedBroadcastProcessFunction<K, IN1, IN2, R>
> {
  private backend!: KeyedStateBackend;
  private readOnlyContext!: ReadOnlyBroadcastFunctionContext<K>;
  private broadcastContext!: BroadcastFunctionContext;

  constructor(
    fn: KeyedBroadcastProcessFunction<K, IN1, IN2, R>,
    private readonly keySelector: KeySelector<IN1, K>,
    private readonly descriptors: readonly AnyMapStateDescriptor[],
  ) {
    super(fn);
  }
  override open(): void | Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    const states = new BroadcastStates(this.ctx, this.descriptors);
    this.readOnlyContext = new ReadOnlyBroadcastFunctionContext(this.ctx, this.output, states);
    this.broadcastContext = new BroadcastFunctionContext(this.ctx, this.output, states);
    routeTimers(this.ctx, this.userFunction, this.readOnlyContext, this.output);
    return super.open();
  }
  processElement(record: IN1): void {
    this.backend.setCurrentKey(this.keySelector(record));
    this.userFunction.processElement(record, this.readOnlyContext, this.output);
  }
  processElement2(record: IN2): void {
    this.userFunction.processBroadcastElement(record, this.broadcastContext, this.output);
  }
}
