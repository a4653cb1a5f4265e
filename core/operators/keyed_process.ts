/**
 * Keyed process operator: a KeyedProcessFunction with state and timers scoped
 * per key. Event-time timers fire as the watermark passes them, with the
 * timer's time as the timestamp of what they emit; processing-time timers
 * emit without a timestamp (as in Flink).
 * @module
 */

import type { KeyedProcessFunction, KeySelector } from "../api/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { FunctionContext, routeTimers } from "./function_context.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class KeyedProcessOperator<K, T, R>
  extends AbstractUdfStreamOperator<T, R, KeyedProcessFunction<K, T, R>> {
  private backend!: KeyedStateBackend;
  private context!: FunctionContext<K>;

  constructor(fn: KeyedProcessFunction<K, T, R>, private readonly keySelector: KeySelector<T, K>) {
    super(fn);
  }
  override open(): void | Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    this.context = new FunctionContext(this.ctx, this.output);
    routeTimers(this.ctx, this.userFunction, this.context, this.output);
    return super.open();
  }
  processElement(record: T): void {
    this.backend.setCurrentKey(this.keySelector(record));
    this.userFunction.processElement(record, this.context, this.output);
  }
  override endInput(): void {
    this.userFunction.endInput?.(this.output);
  }
}
