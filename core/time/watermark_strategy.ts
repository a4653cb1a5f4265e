/**
 * WatermarkStrategy: how a source gives its events timestamps and makes
 * watermarks from them (after Flink's WatermarkStrategy). Immutable: each
 * `with...` returns a new strategy, so one can be shared by several sources,
 * and each source subtask creates its own generator from it.
 * @module
 */

import { requireMs } from "./_durations.ts";
import { BoundedOutOfOrdernessWatermarks } from "./bounded_out_of_orderness_watermarks.ts";
import type { TimestampAssigner, WatermarkGenerator } from "./watermark.ts";
import { WatermarksWithIdleness } from "./watermarks_with_idleness.ts";

const NO_WATERMARKS: WatermarkGenerator<unknown> = Object.freeze({
  onEvent() {},
  onPeriodicEmit() {},
});
const NO_WATERMARKS_FACTORY = () => NO_WATERMARKS;

/**
 * The call that gives records event timestamps: what errors about records
 * without one tell the job to make.
 */
export const ASSIGN_TIMESTAMPS_HINT = "assignTimestampsAndWatermarks(WatermarkStrategy" +
  ".forBoundedOutOfOrderness(ms).withTimestampAssigner((record) => record.timeMs))";

/**
 * A watermark generator factory, with an optional timestamp assigner and
 * idle timeout.
 *
 * @example
 * ```ts
 * import { WatermarkStrategy } from "./watermark_strategy.ts";
 * type Click = { user: string; atMs: number };
 * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Click>(5_000)
 *   .withTimestampAssigner((click) => click.atMs)
 *   .withIdleness(60_000);
 * const generator = strategy.createGenerator(() => performance.now());
 * ```
 */
export class WatermarkStrategy<T> {
  private constructor(
    private readonly factory: () => WatermarkGenerator<T>,
    private readonly assigner: TimestampAssigner<T> | undefined,
    /** Time without events after which a source is marked idle; `undefined`: never. */
    readonly idleTimeoutMs: number | undefined,
  ) {
    Object.freeze(this);
  }

  /** Events arrive at most `maxOutOfOrdernessMs` behind the highest timestamp seen. */
  static forBoundedOutOfOrderness<T>(maxOutOfOrdernessMs: number): WatermarkStrategy<T> {
    requireMs("maxOutOfOrdernessMs", maxOutOfOrdernessMs, 0);
    const factory = () => new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrdernessMs);
    return new WatermarkStrategy(factory, undefined, undefined);
  }

  /** Timestamps never decrease: the watermark trails the highest one by 1 ms. */
  static forMonotonousTimestamps<T>(): WatermarkStrategy<T> {
    return WatermarkStrategy.forBoundedOutOfOrderness<T>(0);
  }

  /** A custom periodic or punctuated generator; `factory` must return a new one per call. */
  static forGenerator<T>(factory: () => WatermarkGenerator<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy(factory, undefined, undefined);
  }

  /** No watermarks at all: for jobs that use processing time only. */
  static noWatermarks<T>(): WatermarkStrategy<T> {
    return new WatermarkStrategy<T>(NO_WATERMARKS_FACTORY, undefined, undefined);
  }

  /** True for `noWatermarks()` without an assigner: a source needs no timestamping step. */
  get isNoWatermarks(): boolean {
    return this.factory === NO_WATERMARKS_FACTORY && this.assigner === undefined;
  }

  /** The same strategy, with timestamps taken from the events by `assigner`. */
  withTimestampAssigner(assigner: TimestampAssigner<T>): WatermarkStrategy<T> {
    return new WatermarkStrategy(this.factory, assigner, this.idleTimeoutMs);
  }

  /** The same strategy, marking the source idle after `idleTimeoutMs` without events. */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    requireMs("idleTimeoutMs", idleTimeoutMs, 1);
    return new WatermarkStrategy(this.factory, this.assigner, idleTimeoutMs);
  }

  /** The assigner, or `undefined` to keep the timestamp each record carries from its source. */
  timestampAssigner(): TimestampAssigner<T> | undefined {
    return this.assigner;
  }

  /**
   * A new generator for one source subtask. `clock` (ms) measures idleness:
   * pass the task's clock; it is read only when an idle timeout is set.
   */
  createGenerator(clock: () => number): WatermarkGenerator<T> {
    const generator = this.factory();
    if (this.idleTimeoutMs === undefined) return generator;
    return new WatermarksWithIdleness(generator, this.idleTimeoutMs, clock);
  }
}
