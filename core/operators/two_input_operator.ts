/**
 * The base of operators with two inputs (connect, joins): each input brings
 * its own watermark, and the operator's event time is the lower of the two
 * (after Flink's AbstractStreamOperator#processWatermark1/2). Timers advance
 * and a watermark leaves only when that combined value rises. An idle input
 * does not hold the combined watermark back; the operator turns idle only
 * when both inputs are (Flink's CombinedWatermarkStatus). Every two-input
 * operator wraps a user function (co-map, co-process, broadcast process,
 * interval join), so this base extends the user-function one.
 * @module
 */

import { MIN_WATERMARK } from "../time/watermark.ts";
import { AbstractUdfStreamOperator } from "./udf_operator.ts";

/**
 * An operator with two inputs around the user function `F`: `processElement`
 * takes the records of input 1, `processElement2` those of input 2.
 *
 * @example
 * ```ts
 * import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";
 * type Render = { number(n: number): string; text(s: string): string };
 * class Merge extends AbstractTwoInputStreamOperator<number, string, string, Render> {
 *   processElement(n: number): void {
 *     this.output.collect(this.userFunction.number(n));
 *   }
 *   processElement2(s: string): void {
 *     this.output.collect(this.userFunction.text(s));
 *   }
 * }
 * const op = new Merge({ number: String, text: (s) => s });
 * ```
 */
export abstract class AbstractTwoInputStreamOperator<IN1, IN2, OUT, F>
  extends AbstractUdfStreamOperator<IN1, OUT, F> {
  private input1Watermark = MIN_WATERMARK;
  private input2Watermark = MIN_WATERMARK;
  private combinedWatermark = MIN_WATERMARK;
  private input1Idle = false;
  private input2Idle = false;
  private idle = false;

  /** Handles one record of input 2. */
  abstract processElement2(record: IN2): void;

  /** Input 1's watermark advanced. */
  override processWatermark(watermark: number): void {
    this.input1Watermark = watermark;
    this.combineWatermarks();
  }

  /** Input 2's watermark advanced. */
  processWatermark2(watermark: number): void {
    this.input2Watermark = watermark;
    this.combineWatermarks();
  }

  /** Input 1 turned idle (`true`) or active again. */
  override processWatermarkStatus(idle: boolean): void {
    this.input1Idle = idle;
    this.combineStatus();
  }

  /** Input 2 turned idle (`true`) or active again. */
  processWatermarkStatus2(idle: boolean): void {
    this.input2Idle = idle;
    this.combineStatus();
  }

  /** The operator's event time: the lower of the two inputs' watermarks. */
  protected currentWatermark(): number {
    return this.combinedWatermark;
  }

  /**
   * The combined watermark rose to `watermark`: fires the due event-time
   * timers, then forwards it. Subclasses that track event time themselves
   * extend this.
   */
  protected onWatermark(watermark: number): void {
    this.ctx.timerService?.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  private combineWatermarks(): void {
    // Both idle: nothing moves until one is active again.
    if (this.input1Idle && this.input2Idle) return;
    const combined = Math.min(
      this.input1Idle ? Infinity : this.input1Watermark,
      this.input2Idle ? Infinity : this.input2Watermark,
    );
    if (combined <= this.combinedWatermark) return;
    this.combinedWatermark = combined;
    this.onWatermark(combined);
  }

  // Downstream ignores watermarks while this operator is idle: "active" leaves
  // before a watermark the change releases, "idle" after it.
  private combineStatus(): void {
    const idle = this.input1Idle && this.input2Idle;
    if (!idle && this.idle) this.setIdle(false);
    this.combineWatermarks();
    if (idle && !this.idle) this.setIdle(true);
  }

  private setIdle(idle: boolean): void {
    this.idle = idle;
    this.output.emitWatermarkStatus(idle);
  }
}
