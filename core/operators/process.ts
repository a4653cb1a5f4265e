/** Process operator: a ProcessFunction over a non-keyed stream. @module */

import type { ProcessFunction, RichFunction } from "../api/functions.ts";
import { FunctionContext } from "./function_context.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class ProcessOperator<T, R> extends AbstractStreamOperator<T, R> {
  private context!: FunctionContext<never>;

  constructor(private readonly fn: ProcessFunction<T, R>) {
    super();
  }
  protected override userFunction(): RichFunction {
    return this.fn;
  }
  override async open(): Promise<void> {
    this.context = new FunctionContext(this.ctx, this.output);
    await this.fn.open?.(this.runtimeContext());
  }
  processElement(record: T): void {
    this.fn.processElement(record, this.context, this.output);
  }
  override processWatermark(watermark: number): void {
    this.context.setWatermark(watermark);
    super.processWatermark(watermark);
  }
  override endInput(): void {
    this.fn.endInput?.(this.output);
  }
  override async close(): Promise<void> {
    await this.fn.close?.();
  }
}
