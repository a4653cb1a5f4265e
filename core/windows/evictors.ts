/**
 * Evictors (after Flink's windowing.evictors): they remove elements from a
 * window's contents before or after the window function runs on a firing.
 * They edit the array they get in place, as Flink's remove through the
 * iterator, so a large window is not copied per firing.
 * @module
 */

import type { Window } from "../api/window.ts";
import { requireCount, requirePositiveMs } from "./_checks.ts";

/** An element of a window with its timestamp (undefined in processing time). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp?: number;
}

/** What the operator tells an evictor. */
export interface EvictorContext {
  readonly currentProcessingTime: number;
  readonly currentWatermark: number;
}

/** Removes elements of a window around the window function. */
export interface Evictor<T, W extends Window> {
  /** Called before the window function; `size` is `elements.length`. */
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  /** Called after the window function (the elements left are kept for the next firing). */
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/** An evictor that does its one job either before or after the window function. */
abstract class BeforeOrAfterEvictor<T> implements Evictor<T, Window> {
  constructor(readonly doEvictAfter: boolean) {}

  evictBefore(elements: TimestampedValue<T>[], _size: number, _w: Window, _c: EvictorContext) {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[], _size: number, _w: Window, _c: EvictorContext) {
    if (this.doEvictAfter) this.evict(elements);
  }

  protected abstract evict(elements: TimestampedValue<T>[]): void;
}

/** Removes the elements matching `evict`, keeping the order of the others. */
function removeWhere<T>(
  elements: TimestampedValue<T>[],
  evict: (e: TimestampedValue<T>) => boolean,
): void {
  let kept = 0;
  for (const e of elements) if (!evict(e)) elements[kept++] = e;
  elements.length = kept;
}

/**
 * Keeps the last `maxCount` elements (the earliest added go first).
 *
 * @example
 * ```ts
 * import { CountEvictor } from "./evictors.ts";
 * import { GlobalWindow } from "./time_window.ts";
 * const elements = [1, 2, 3, 4].map((value) => ({ value }));
 * const ctx = { currentProcessingTime: 0, currentWatermark: 0 };
 * CountEvictor.of(2).evictBefore(elements, elements.length, GlobalWindow.get(), ctx);
 * elements.map((e) => e.value); // [3, 4]
 * ```
 */
export class CountEvictor extends BeforeOrAfterEvictor<unknown> {
  private constructor(readonly maxCount: number, doEvictAfter: boolean) {
    super(doEvictAfter);
  }

  /** After the window function instead of before it when `doEvictAfter`. */
  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    requireCount(maxCount, "CountEvictor.of: maxCount");
    return new CountEvictor(maxCount, doEvictAfter);
  }

  protected evict(elements: TimestampedValue<unknown>[]): void {
    if (elements.length > this.maxCount) elements.splice(0, elements.length - this.maxCount);
  }
}

/**
 * Keeps the elements of the last `windowMs` before the latest timestamp in the
 * window: those with timestamp > max timestamp - windowMs. Elements without
 * timestamps (processing time) are kept.
 *
 * @example
 * ```ts
 * import { TimeEvictor } from "./evictors.ts";
 * import { GlobalWindow } from "./time_window.ts";
 * const elements = [1_000, 4_000, 9_000].map((t) => ({ value: t, timestamp: t }));
 * const ctx = { currentProcessingTime: 0, currentWatermark: 0 };
 * TimeEvictor.of(5_000).evictBefore(elements, elements.length, GlobalWindow.get(), ctx);
 * elements.map((e) => e.value); // [9000]: 4000 is not > 9000 - 5000
 * ```
 */
export class TimeEvictor extends BeforeOrAfterEvictor<unknown> {
  private constructor(readonly windowMs: number, doEvictAfter: boolean) {
    super(doEvictAfter);
  }

  static of(windowMs: number, doEvictAfter = false): TimeEvictor {
    requirePositiveMs(windowMs, "TimeEvictor.of: windowMs");
    return new TimeEvictor(windowMs, doEvictAfter);
  }

  protected evict(elements: TimestampedValue<unknown>[]): void {
    // Flink looks at the first element only: a window holds timestamps on all or none.
    if (elements.length === 0 || elements[0].timestamp === undefined) return;
    let maxTimestamp = -Infinity;
    for (const e of elements) maxTimestamp = Math.max(maxTimestamp, e.timestamp ?? -Infinity);
    const cutoff = maxTimestamp - this.windowMs;
    removeWhere(elements, (e) => e.timestamp !== undefined && e.timestamp <= cutoff);
  }
}

/** The distance between two elements. */
export type DeltaFunction<T> = (a: T, b: T) => number;

/**
 * Keeps the elements whose delta to the last element is below `threshold`.
 *
 * @example
 * ```ts
 * import { DeltaEvictor } from "./evictors.ts";
 * import { GlobalWindow } from "./time_window.ts";
 * const elements = [10, 48, 50, 53].map((value) => ({ value }));
 * const ctx = { currentProcessingTime: 0, currentWatermark: 0 };
 * DeltaEvictor.of(5, (a: number, b: number) => Math.abs(a - b))
 *   .evictBefore(elements, elements.length, GlobalWindow.get(), ctx);
 * elements.map((e) => e.value); // [50, 53]
 * ```
 */
export class DeltaEvictor<T> extends BeforeOrAfterEvictor<T> {
  private constructor(
    readonly threshold: number,
    readonly delta: DeltaFunction<T>,
    doEvictAfter: boolean,
  ) {
    super(doEvictAfter);
  }

  static of<T>(threshold: number, delta: DeltaFunction<T>, doEvictAfter = false): DeltaEvictor<T> {
    if (Number.isNaN(threshold)) {
      throw new RangeError(`DeltaEvictor.of: threshold must be a number, got ${threshold}`);
    }
    return new DeltaEvictor(threshold, delta, doEvictAfter);
  }

  protected evict(elements: TimestampedValue<T>[]): void {
    if (elements.length === 0) return;
    const last = elements[elements.length - 1].value;
    removeWhere(elements, (e) => this.delta(e.value, last) >= this.threshold);
  }
}
