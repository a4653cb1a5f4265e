/**
 * Co-process operator: a CoProcessFunction over two connected, non-keyed
 * streams. Its context reports the combined watermark of the two inputs;
 * timers need keyed inputs (the keyed co-process operator).
 * @module
 */

import type { CoProcessFunction } from "../api/co_functions.ts";
import { FunctionContext } from "./function_context.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/**
 * Hands the records of input 1 to `processElement1` and those of input 2 to
 * `processElement2`.
 *
 * @example
 * ```ts
 * import { CoProcessOperator } from "./co_process.ts";
 * const op = new CoProcessOperator<number, number, string>({
 *   processElement1: (v, _ctx, out) => out.collect(`left ${v}`),
 *   processElement2: (v, _ctx, out) => out.collect(`right ${v}`),
 * });
 * ```
 */
export class CoProcessOperator<IN1, IN2, R>
  extends AbstractTwoInputStreamOperator<IN1, IN2, R, CoProcessFunction<IN1, IN2, R>> {
  private context!: FunctionContext<never>;

  override open(): void | Promise<void> {
    this.context = new FunctionContext(this.ctx, this.output);
    return super.open();
  }
  processElement(record: IN1): void {
    this.userFunction.processElement1(record, this.context, this.output);
  }
  processElement2(record: IN2): void {
    this.userFunction.processElement2(record, this.context, this.output);
  }
  protected override onWatermark(watermark: number): void {
    this.context.setWatermark(watermark);
    super.onWatermark(watermark);
  }
}
