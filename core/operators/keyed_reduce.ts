/**
 * Keyed reduce: folds each key's records into a value state. Streaming mode
 * emits every update; batch mode emits only the final value per key at the end
 * of input, as Flink does. sum/min/max/minBy/maxBy are reduce functions.
 * @module
 */

import type { KeySelector, ReduceFunction } from "../datastream/functions.ts";
import type { HeapKeyedStateBackend } from "../state/heap_keyed_state_backend.ts";
import type { ValueState } from "../state/value_state.ts";
import { ValueStateDescriptor } from "../state/value_state.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

const STATE_NAME = "_reduce";

export class KeyedReduceOperator<K, T> extends AbstractStreamOperator<T, T> {
  private backend!: HeapKeyedStateBackend;
  private state!: ValueState<T>;

  constructor(
    private readonly fn: ReduceFunction<T>,
    private readonly keySelector: KeySelector<T, K>,
  ) {
    super();
  }
  override open(): void {
    this.backend = this.ctx.keyedBackend!;
    this.state = this.backend.getState(new ValueStateDescriptor<T>(STATE_NAME));
  }
  processElement(record: T): void {
    this.backend.setCurrentKey(this.keySelector(record));
    const current = this.state.value();
    const next = current === undefined ? record : this.fn(current, record);
    this.state.update(next);
    if (!this.ctx.batch) this.output.collect(next);
  }
  override endInput(): void {
    if (!this.ctx.batch) return;
    this.backend.forEach<T>(STATE_NAME, (_key, value) => this.output.collect(value));
  }
}
