/**
 * Keyed reduce: folds each key's records into a value state. Streaming mode
 * emits every update from keyed state (checkpointed and rescaled with the
 * job); batch mode keeps a plain map and emits only the final value per key
 * at the end of input, as Flink does (batch jobs take no checkpoints).
 * sum/min/max/minBy/maxBy are reduce functions.
 * @module
 */

import type { KeySelector, ReduceFunction } from "../api/functions.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { stateKeyOf } from "../state/keyed_state_backend.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

const STATE_NAME = "_reduce";

export class KeyedReduceOperator<K, T> extends AbstractUdfStreamOperator<T, T, ReduceFunction<T>> {
  private backend!: KeyedStateBackend;
  private state!: ValueState<T>;
  private readonly finals = new Map<unknown, T>();

  constructor(fn: ReduceFunction<T>, private readonly keySelector: KeySelector<T, K>) {
    super(fn);
  }
  override open(): void | Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    this.state = this.backend.getState(new ValueStateDescriptor<T>(STATE_NAME));
    return super.open();
  }
  processElement(record: T): void {
    if (this.ctx.batch) {
      const key = stateKeyOf(this.keySelector(record));
      const current = this.finals.get(key);
      this.finals.set(key, current === undefined ? record : this.userFunction(current, record));
      return;
    }
    this.backend.setCurrentKey(this.keySelector(record));
    const current = this.state.value();
    const next = current === undefined ? record : this.userFunction(current, record);
    this.state.update(next);
    this.output.collect(next);
  }
  override endInput(): void {
    for (const value of this.finals.values()) this.output.collect(value);
    this.finals.clear();
  }
}
