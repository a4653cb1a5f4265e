/** Process operator: a ProcessFunction over a non-keyed stream. @module */

import type { ProcessContext, ProcessFunction, RichFunction } from "../datastream/functions.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class ProcessOperator<T, R> extends AbstractStreamOperator<T, R> {
  private context!: ProcessContext;

  constructor(private readonly fn: ProcessFunction<T, R>) {
    super();
  }
  protected override userFunction(): RichFunction {
    return this.fn;
  }
  override async open(): Promise<void> {
    this.context = { subtaskIndex: this.ctx.subtaskIndex };
    await this.fn.open?.(this.runtimeContext());
  }
  processElement(record: T): void {
    this.fn.processElement(record, this.context, this.output);
  }
  override endInput(): void {
    this.fn.endInput?.(this.output);
  }
  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
