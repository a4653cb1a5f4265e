/**
 * Keyed process operator: a KeyedProcessFunction with state and timers scoped
 * per key. Event-time timers fire as the watermark passes them, with the
 * timer's time as the timestamp of what they emit; processing-time timers
 * emit without a timestamp (as in Flink).
 * @module
 */

import type { KeyedProcessFunction, KeySelector, RichFunction } from "../api/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { FunctionContext, routeTimers } from "./function_context.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class KeyedProcessOperator<K, T, R> extends AbstractStreamOperator<T, R> {
  private backend!: KeyedStateBackend;
  private context!: FunctionContext<K>;

  constructor(
    private readonly fn: KeyedProcessFunction<K, T, R>,
    private readonly keySelector: KeySelector<T, K>,
  ) {
    super();
  }
  protected override userFunction(): RichFunction {
    return this.fn;
  }
  override async open(): Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    this.context = new FunctionContext(this.ctx, this.output);
    routeTimers(this.ctx, this.fn, this.context, this.output);
    await this.fn.open?.(this.runtimeContext());
  }
  processElement(record: T): void {
    this.backend.setCurrentKey(this.keySelector(record));
    this.fn.processElement(record, this.context, this.output);
  }
  override endInput(): void {
    this.fn.endInput?.(this.output);
  }
  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
