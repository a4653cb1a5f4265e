/**
 * Session window assigners (after Flink's EventTimeSessionWindows,
 * ProcessingTimeSessionWindows and their dynamic-gap variants). Each element
 * opens the window [t, t + gap); windows of a key that intersect (or touch)
 * merge, so a session ends after a gap without elements. The operator merges
 * them through a `MergingWindowSet`.
 * @module
 */

import { requirePositiveMs, requireTimestamp } from "./_checks.ts";
import { type MergeCallback, TimeWindow } from "./time_window.ts";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import type { Trigger } from "./triggers.ts";
import type { MergingWindowAssigner, WindowAssignerContext } from "./window_assigners.ts";

/** The session gap of an element, in milliseconds (> 0). */
export type SessionGapExtractor<T> = (element: T) => number;

function sessionWindow(start: number, gapMs: number, assigner: string): TimeWindow[] {
  requirePositiveMs(gapMs, `${assigner}: the session gap of an element`);
  return [new TimeWindow(start, start + gapMs)];
}

/**
 * Event-time sessions: a key's session closes once the watermark passes the
 * last element's timestamp plus the gap.
 *
 * @example
 * ```ts
 * import { EventTimeSessionWindows } from "./session_windows.ts";
 * const fiveMinutes = EventTimeSessionWindows.withGap(300_000);
 * const perUser = EventTimeSessionWindows.withDynamicGap(
 *   (e: { premium: boolean }) => e.premium ? 600_000 : 300_000,
 * );
 * ```
 */
export class EventTimeSessionWindows<T> implements MergingWindowAssigner<T> {
  readonly isEventTime = true;
  readonly merging = true;
  readonly mergesIntersecting = true;

  private constructor(
    private readonly gapOf: SessionGapExtractor<T>,
    private readonly name: string,
  ) {}

  static withGap(gapMs: number): EventTimeSessionWindows<unknown> {
    requirePositiveMs(gapMs, "EventTimeSessionWindows.withGap: gapMs");
    return new EventTimeSessionWindows(() => gapMs, `EventTimeSessionWindows(${gapMs})`);
  }

  /** Sessions whose gap `extractor` computes per element. */
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): EventTimeSessionWindows<T> {
    return new EventTimeSessionWindows(extractor, "DynamicEventTimeSessionWindows()");
  }

  assignWindows(element: T, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    return [new TimeWindow(timestamp, this.sessionEnd(element, timestamp))];
  }

  /**
   * The end of the session `element` opens at `timestamp` (its start), without
   * a window object (the session table's per-element path).
   */
  sessionEnd(element: T, timestamp: number): number {
    requireTimestamp(timestamp, this.name);
    const gapMs = this.gapOf(element);
    requirePositiveMs(gapMs, `${this.name}: the session gap of an element`);
    return timestamp + gapMs;
  }

  defaultTrigger(): Trigger<T, TimeWindow> {
    return EventTimeTrigger.create();
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  toString(): string {
    return this.name;
  }
}

/**
 * Processing-time sessions: an element opens [now, now + gap).
 *
 * @example
 * ```ts
 * import { ProcessingTimeSessionWindows } from "./session_windows.ts";
 * const w = ProcessingTimeSessionWindows.withGap(30_000);
 * w.assignWindows("e", 0, { currentProcessingTime: 1_000 }); // [[1000, 31000)]
 * ```
 */
export class ProcessingTimeSessionWindows<T> implements MergingWindowAssigner<T> {
  readonly isEventTime = false;
  readonly merging = true;
  readonly mergesIntersecting = true;

  private constructor(
    private readonly gapOf: SessionGapExtractor<T>,
    private readonly name: string,
  ) {}

  static withGap(gapMs: number): ProcessingTimeSessionWindows<unknown> {
    requirePositiveMs(gapMs, "ProcessingTimeSessionWindows.withGap: gapMs");
    return new ProcessingTimeSessionWindows(() => gapMs, `ProcessingTimeSessionWindows(${gapMs})`);
  }

  /** Sessions whose gap `extractor` computes per element. */
  static withDynamicGap<T>(extractor: SessionGapExtractor<T>): ProcessingTimeSessionWindows<T> {
    return new ProcessingTimeSessionWindows(extractor, "DynamicProcessingTimeSessionWindows()");
  }

  assignWindows(element: T, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return sessionWindow(ctx.currentProcessingTime, this.gapOf(element), this.name);
  }

  defaultTrigger(): Trigger<T, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void {
    TimeWindow.mergeWindows(windows, callback);
  }

  toString(): string {
    return this.name;
  }
}
