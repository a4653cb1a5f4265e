/**
 * Broadcast process operator: the broadcast state pattern over a non-keyed
 * stream (Flink's CoBroadcastWithNonKeyedOperator). Input 1 is the stream,
 * input 2 the broadcast stream: its records reach every subtask and may
 * update the broadcast states; the stream's records read them.
 * @module
 */

import type { BroadcastProcessFunction } from "../api/co_functions.ts";
import {
  type AnyMapStateDescriptor,
  BroadcastFunctionContext,
  BroadcastStates,
  ReadOnlyBroadcastFunctionContext,
} from "./_broadcast_context.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/**
 * Hands stream records to `processElement` (broadcast states read only) and
 * broadcast records to `processBroadcastElement` (writable).
 *
 * @example
 * ```ts
 * import { BroadcastProcessOperator } from "./broadcast_process.ts";
 * import { MapStateDescriptor } from "../api/state.ts";
 * const words = new MapStateDescriptor<string, boolean>("stop-words");
 * const op = new BroadcastProcessOperator<string, string, string>({
 *   processElement(w, ctx, out) {
 *     if (!ctx.getBroadcastState(words).contains(w)) out.collect(w);
 *   },
 *   processBroadcastElement(w, ctx) {
 *     ctx.getBroadcastState(words).put(w, true);
 *   },
 * }, [words]);
 * ```
 */
export class BroadcastProcessOperator<IN1, IN2, R>
  extends AbstractTwoInputStreamOperator<IN1, IN2, R, BroadcastProcessFunction<IN1, IN2, R>> {
  private readOnlyContext!: ReadOnlyBroadcastFunctionContext<never>;
  private broadcastContext!: BroadcastFunctionContext;

  constructor(
    fn: BroadcastProcessFunction<IN1, IN2, R>,
    private readonly descriptors: readonly AnyMapStateDescriptor[],
  ) {
    super(fn);
  }
  override open(): void | Promise<void> {
    const states = new BroadcastStates(this.ctx, this.descriptors);
    this.readOnlyContext = new ReadOnlyBroadcastFunctionContext(this.ctx, this.output, states);
    this.broadcastContext = new BroadcastFunctionContext(this.ctx, this.output, states);
    return super.open();
  }
  processElement(record: IN1): void {
    this.userFunction.processElement(record, this.readOnlyContext, this.output);
  }
  processElement2(record: IN2): void {
    this.userFunction.processBroadcastElement(record, this.broadcastContext, this.output);
  }
  protected override onWatermark(watermark: number): void {
    this.readOnlyContext.setWatermark(watermark);
    this.broadcastContext.setWatermark(watermark);
    super.onWatermark(watermark);
  }
}
