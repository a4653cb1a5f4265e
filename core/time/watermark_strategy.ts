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
 * Watermark alignment (Flink's FLIP-182): the sources of one group pause
 * while their watermark is more than `maxDriftMs` ahead of the group's
 * lowest, so a fast source cannot fill the windows downstream with events
 * the slowest source's watermark will not let fire for a long time.
 */
export interface WatermarkAlignment {
  /** Sources with the same group name are aligned with each other. */
  readonly group: string;
  /** How far (event time, ms) a source may run ahead of the group's lowest watermark. */
  readonly maxDriftMs: number;
  /** How often (processing time, ms) a source reports its watermark and learns the group's. */
  readonly updateIntervalMs: number;
}

/**
 * The default of `updateIntervalMs`. Flink's is 1 s; a source reading a file
 * moves through event time much faster than that, so the drift between two
 * updates matters more than the messages saved.
 */
export const DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS = 200;

/**
 * A watermark generator factory, with an optional timestamp assigner, idle
 * timeout and watermark alignment.
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
    /** The group this strategy's sources are aligned in; `undefined`: none. */
    readonly alignment?: WatermarkAlignment,
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
    return new WatermarkStrategy(this.factory, assigner, this.idleTimeoutMs, this.alignment);
  }

  /** The same strategy, marking the source idle after `idleTimeoutMs` without events. */
  withIdleness(idleTimeoutMs: number): WatermarkStrategy<T> {
    requireMs("idleTimeoutMs", idleTimeoutMs, 1);
    return new WatermarkStrategy(this.factory, this.assigner, idleTimeoutMs, this.alignment);
  }

  /**
   * The same strategy, with the sources that use it aligned in `group`: a
   * source whose watermark is more than `maxDriftMs` ahead of the lowest of
   * the group's sources stops reading until the others catch up. Sources
   * that are idle or finished (or have no split) do not hold the group back.
   * The strategy must be given to `fromSource`, or to
   * `assignTimestampsAndWatermarks` in the source's chain (the step that
   * makes the watermark must be able to pause the source).
   *
   * @example
   * ```ts
   * import { WatermarkStrategy } from "./watermark_strategy.ts";
   * type Reading = { sensor: string; atMs: number };
   * const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Reading>(1_000)
   *   .withTimestampAssigner((r) => r.atMs)
   *   .withWatermarkAlignment("readings", 5_000);
   * strategy.alignment?.maxDriftMs; // 5000
   * ```
   */
  withWatermarkAlignment(
    group: string,
    maxDriftMs: number,
    updateIntervalMs = DEFAULT_ALIGNMENT_UPDATE_INTERVAL_MS,
  ): WatermarkStrategy<T> {
    if (typeof group !== "string" || group === "") {
      throw new TypeError("withWatermarkAlignment: group must be a non-empty string");
    }
    requireMs("maxDriftMs", maxDriftMs, 0);
    requireMs("updateIntervalMs", updateIntervalMs, 1);
    return new WatermarkStrategy(this.factory, this.assigner, this.idleTimeoutMs, {
      group,
      maxDriftMs,
      updateIntervalMs,
    });
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
