/**
 * Gives records their event timestamps and makes watermarks from them with a
 * WatermarkStrategy (after Flink's TimestampsAndWatermarksOperator). Each
 * record goes to the generator; every `intervalMs` of processing time the
 * generator may emit a periodic watermark. Watermarks from upstream are
 * dropped (this operator owns event time from here on), except the final
 * one at the end of input, which completes event time.
 * @module
 */

import type { TimestampAssigner, WatermarkGenerator, WatermarkOutput } from "../time/watermark.ts";
import { MAX_WATERMARK } from "../time/watermark.ts";
import {
  ASSIGN_TIMESTAMPS_HINT,
  type WatermarkAlignment,
  type WatermarkStrategy,
} from "../time/watermark_strategy.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

export class TimestampsAndWatermarksOperator<T> extends AbstractStreamOperator<T, T>
  implements WatermarkOutput {
  private generator!: WatermarkGenerator<T>;
  private assigner: TimestampAssigner<T> | undefined;
  private lastWatermark = Number.NEGATIVE_INFINITY;
  private maxTs = Number.NEGATIVE_INFINITY;
  private idle = false;

  constructor(
    private readonly strategy: WatermarkStrategy<T>,
    /** Periodic emission interval in ms; 0 disables periodic watermarks. */
    private readonly intervalMs: () => number,
  ) {
    super();
  }

  /** The strategy's watermark alignment, if it has one (the source task pauses on it). */
  get alignment(): WatermarkAlignment | undefined {
    return this.strategy.alignment;
  }

  /** The largest event timestamp seen (-Infinity before the first record). */
  get maxTimestamp(): number {
    return this.maxTs;
  }

  /** Whether the generator marked the stream idle. */
  get isIdle(): boolean {
    return this.idle;
  }

  override open(): void {
    const time = this.ctx.processingTime;
    this.generator = this.strategy.createGenerator(() => time.now());
    this.assigner = this.strategy.timestampAssigner();
    const interval = this.intervalMs();
    if (interval > 0) {
      const tick = (t: number) => {
        this.generator.onPeriodicEmit(this);
        time.registerTimer(t + interval, tick);
      };
      time.registerTimer(time.now() + interval, tick);
    }
  }

  processElement(record: T): void {
    const cell = this.ctx.timestamp;
    const ts = this.assigner === undefined ? cell.value : this.assigner(record, cell.get());
    if (typeof ts !== "number" || Number.isNaN(ts)) throw this.timestampError(ts);
    cell.value = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    // The record first, then what the generator makes of it (as Flink does).
    this.output.collect(record);
    this.generator.onEvent(record, ts, this);
  }

  private timestampError(ts: unknown): TypeError {
    if (this.assigner !== undefined) {
      return new TypeError(
        `the timestamp assigner returned ${String(ts)} for a record: expected a number of ms`,
      );
    }
    return new TypeError(
      "no timestamp assigner set, and a record arrived without a timestamp (sources give " +
        `records none): give the strategy one, as in ${ASSIGN_TIMESTAMPS_HINT}`,
    );
  }

  override processWatermark(watermark: number): void {
    if (watermark === MAX_WATERMARK) this.emitWatermark(MAX_WATERMARK);
  }

  /**
   * A source with nothing to read makes this step idle too; otherwise
   * idleness is this step's own (its strategy's idle timeout), and its next
   * watermark makes it active again.
   */
  override processWatermarkStatus(idle: boolean): void {
    if (idle) this.markIdle();
  }

  // WatermarkOutput, for the generator:
  emitWatermark(watermark: number): void {
    if (watermark <= this.lastWatermark) return;
    this.markActive();
    this.lastWatermark = watermark;
    this.output.emitWatermark(watermark);
  }
  markIdle(): void {
    if (this.idle) return;
    this.idle = true;
    this.output.emitWatermarkStatus(true);
  }
  markActive(): void {
    if (!this.idle) return;
    this.idle = false;
    this.output.emitWatermarkStatus(false);
  }
}
