/** Process operator: a ProcessFunction over a non-keyed stream. @module */

import type { ProcessFunction } from "../api/functions.ts";
import { FunctionContext } from "./function_context.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

export class ProcessOperator<T, R> extends AbstractUdfStreamOperator<T, R, ProcessFunction<T, R>> {
  private context!: FunctionContext<never>;

  override open(): void | Promise<void> {
    this.context = new FunctionContext(this.ctx, this.output);
    return super.open();
  }
  processElement(record: T): void {
    this.userFunction.processElement(record, this.context, this.output);
  }
  override processWatermark(watermark: number): void {
    this.context.setWatermark(watermark);
    super.processWatermark(watermark);
  }
  override endInput(): void {
    this.userFunction.endInput?.(this.output);
  }
}
