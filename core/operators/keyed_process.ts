/** Keyed process operator: a KeyedProcessFunction with state scoped per key. @module */

import type {
  KeyedProcessContext,
  KeyedProcessFunction,
  KeySelector,
  RichFunction,
} from "../datastream/functions.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class KeyedProcessOperator<K, T, R> extends AbstractStreamOperator<T, R> {
  private backend!: KeyedStateBackend;
  private context!: KeyedProcessContext<K>;

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
    const backend = this.backend;
    this.context = {
      subtaskIndex: this.ctx.subtaskIndex,
      getCurrentKey: () => backend.currentKey as K,
    };
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
