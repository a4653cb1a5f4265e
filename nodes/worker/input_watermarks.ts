/**
 * The watermarks of a task's inputs: one valve per logical input of the
 * chain head (two for a two-input operator) over that input's channels. A
 * valve's watermark and idle status go to its input of the head; a two-input
 * head combines them (idle only when both inputs are), as Flink's
 * StatusWatermarkValve per input of a multi-input task does.
 * @module
 */

import type { Output } from "../../core/operators/stream_operator.ts";
import { StatusWatermarkValve, type ValveEffect } from "../../core/time/watermark_valve.ts";

export class InputWatermarks {
  private readonly valves: StatusWatermarkValve[];
  /** The last watermark each input forwarded to the head (-Infinity before the first). */
  private readonly forwarded: number[];
  /** Gate channel -> [input index, channel within the input]. */
  private readonly route: [number, number][] = [];

  /** `inputOfChannel[c]`: the input index of gate channel c. */
  constructor(inputOfChannel: readonly number[], private readonly heads: Output<unknown>[]) {
    const counts = heads.map(() => 0);
    for (const input of inputOfChannel) this.route.push([input, counts[input]++]);
    this.valves = counts.map((n) => new StatusWatermarkValve(Math.max(1, n)));
    this.forwarded = counts.map(() => Number.NEGATIVE_INFINITY);
  }

  /** The task's input watermark: the lowest its inputs forwarded (Flink's currentInputWatermark). */
  get current(): number {
    return Math.min(...this.forwarded);
  }

  watermark(channel: number, watermark: number): void {
    const [input, c] = this.route[channel];
    this.apply(input, this.valves[input].inputWatermark(c, watermark));
  }

  status(channel: number, idle: boolean): void {
    const [input, c] = this.route[channel];
    const valve = this.valves[input];
    this.apply(input, idle ? valve.inputIdle(c) : valve.inputActive(c));
  }

  /**
   * The channel ended: it no longer holds its input's watermark back. A
   * suspended end (a stop without drain) changes nothing: event time stays.
   */
  ended(channel: number, suspend = false): void {
    if (suspend) return;
    const [input, c] = this.route[channel];
    this.apply(input, this.valves[input].inputEnded(c));
  }

  private apply(input: number, effects: readonly ValveEffect[]): void {
    const head = this.heads[input];
    for (const e of effects) {
      if (e.type === "watermark") {
        this.forwarded[input] = e.watermark;
        head.emitWatermark(e.watermark);
      } else head.emitWatermarkStatus(e.type === "idle");
    }
  }
}
