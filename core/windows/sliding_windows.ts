/**
 * Sliding window assigners (after Flink's SlidingEventTimeWindows and
 * SlidingProcessingTimeWindows): windows of `sizeMs` starting every
 * `slideMs`, so an element is in about size/slide windows.
 * @module
 */

import { requireOffsetMs, requirePositiveMs, requireTimestamp } from "./_checks.ts";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { getWindowStartWithOffset, TimeWindow } from "./time_window.ts";
import type { Trigger } from "./triggers.ts";
import { LastWindows } from "./tumbling_windows.ts";
import type { WindowAssigner, WindowAssignerContext } from "./window_assigners.ts";

/** The windows holding `timestamp`, latest start first (Flink's order). */
function sliding(
  timestamp: number,
  sizeMs: number,
  slideMs: number,
  offsetMs: number,
  last: LastWindows,
): TimeWindow[] {
  const lastStart = getWindowStartWithOffset(timestamp, offsetMs, slideMs);
  // When the size is a multiple of the slide, the windows depend on the last start only.
  const reusable = sizeMs % slideMs === 0;
  if (reusable && lastStart === last.start) return last.windows;
  const windows: TimeWindow[] = [];
  for (let start = lastStart; start > timestamp - sizeMs; start -= slideMs) {
    windows.push(new TimeWindow(start, start + sizeMs));
  }
  if (reusable) {
    last.start = lastStart;
    last.windows = windows;
  }
  return windows;
}

// Flink bounds the offset by the slide, not the size: window starts repeat every slide.
function check(name: string, sizeMs: number, slideMs: number, offsetMs: number): void {
  requirePositiveMs(sizeMs, `${name}.of: sizeMs`);
  requirePositiveMs(slideMs, `${name}.of: slideMs`);
  requireOffsetMs(offsetMs, slideMs, `${name}.of: offsetMs`);
}

/**
 * Sliding windows in event time.
 *
 * @example
 * ```ts
 * import { SlidingEventTimeWindows } from "./sliding_windows.ts";
 * const w = SlidingEventTimeWindows.of(10_000, 5_000);
 * w.assignWindows("e", 7_000, { currentProcessingTime: 0 }); // [[5000, 15000), [0, 10000)]
 * ```
 */
export class SlidingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly isEventTime = true;
  private readonly last = new LastWindows();

  private constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly offsetMs: number,
  ) {}

  /** Windows of `sizeMs` every `slideMs`, shifted by `offsetMs` (|offsetMs| < slideMs). */
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingEventTimeWindows {
    check("SlidingEventTimeWindows", sizeMs, slideMs, offsetMs);
    return new SlidingEventTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_element: unknown, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    requireTimestamp(timestamp, this);
    return sliding(timestamp, this.sizeMs, this.slideMs, this.offsetMs, this.last);
  }

  defaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  toString(): string {
    return `SlidingEventTimeWindows(${this.sizeMs}, ${this.slideMs}, ${this.offsetMs})`;
  }
}

/**
 * Sliding windows in processing time.
 *
 * @example
 * ```ts
 * import { SlidingProcessingTimeWindows } from "./sliding_windows.ts";
 * const lastMinuteEvery10s = SlidingProcessingTimeWindows.of(60_000, 10_000);
 * ```
 */
export class SlidingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly isEventTime = false;
  private readonly last = new LastWindows();

  private constructor(
    readonly sizeMs: number,
    readonly slideMs: number,
    readonly offsetMs: number,
  ) {}

  /** Windows of `sizeMs` every `slideMs`, shifted by `offsetMs` (|offsetMs| < slideMs). */
  static of(sizeMs: number, slideMs: number, offsetMs = 0): SlidingProcessingTimeWindows {
    check("SlidingProcessingTimeWindows", sizeMs, slideMs, offsetMs);
    return new SlidingProcessingTimeWindows(sizeMs, slideMs, offsetMs);
  }

  assignWindows(_element: unknown, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return sliding(ctx.currentProcessingTime, this.sizeMs, this.slideMs, this.offsetMs, this.last);
  }

  defaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  toString(): string {
    return `SlidingProcessingTimeWindows(${this.sizeMs}, ${this.slideMs}, ${this.offsetMs})`;
  }
}
