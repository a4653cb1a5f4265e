/**
 * Tumbling window assigners (after Flink's TumblingEventTimeWindows and
 * TumblingProcessingTimeWindows): windows of one size that do not overlap,
 * [k·size + offset, (k+1)·size + offset), placed as Flink places them.
 * @module
 */

import { requireOffsetMs, requirePositiveMs, requireTimestamp } from "./_checks.ts";
import { EventTimeTrigger } from "./event_time_trigger.ts";
import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
import { getWindowStartWithOffset, TimeWindow } from "./time_window.ts";
import type { Trigger } from "./triggers.ts";
import type { WindowAssigner, WindowAssignerContext } from "./window_assigners.ts";

/**
 * The last windows an assigner returned: consecutive elements mostly share
 * them, and the window operator looks state and timers up by the window's
 * key, which is hashed once per string. Callers must not modify the array.
 */
export class LastWindows {
  start = Number.NaN;
  windows: TimeWindow[] = [];
}

function tumbling(
  timestamp: number,
  sizeMs: number,
  offsetMs: number,
  last: LastWindows,
): TimeWindow[] {
  const start = getWindowStartWithOffset(timestamp, offsetMs, sizeMs);
  if (start !== last.start) {
    last.start = start;
    last.windows = [new TimeWindow(start, start + sizeMs)];
  }
  return last.windows;
}

function check(name: string, sizeMs: number, offsetMs: number): void {
  requirePositiveMs(sizeMs, `${name}.of: sizeMs`);
  requireOffsetMs(offsetMs, sizeMs, `${name}.of: offsetMs`);
}

/**
 * Tumbling windows in event time.
 *
 * @example
 * ```ts
 * import { TumblingEventTimeWindows } from "./tumbling_windows.ts";
 * const hourly = TumblingEventTimeWindows.of(3_600_000);
 * hourly.assignWindows("e", 5_400_000, { currentProcessingTime: 0 }); // [[3600000, 7200000)]
 * // Days in UTC+8: shift the boundaries by -8 h.
 * const daily = TumblingEventTimeWindows.of(86_400_000, -28_800_000);
 * ```
 */
export class TumblingEventTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly isEventTime = true;
  private readonly last = new LastWindows();

  private constructor(readonly sizeMs: number, readonly offsetMs: number) {}

  /** Windows of `sizeMs`, shifted by `offsetMs` (|offsetMs| < sizeMs). */
  static of(sizeMs: number, offsetMs = 0): TumblingEventTimeWindows {
    check("TumblingEventTimeWindows", sizeMs, offsetMs);
    return new TumblingEventTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_element: unknown, timestamp: number, _ctx: WindowAssignerContext): TimeWindow[] {
    requireTimestamp(timestamp, this);
    return tumbling(timestamp, this.sizeMs, this.offsetMs, this.last);
  }

  defaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  toString(): string {
    return `TumblingEventTimeWindows(${this.sizeMs}, ${this.offsetMs})`;
  }
}

/**
 * Tumbling windows in processing time: the operator's current processing
 * time places each element.
 *
 * @example
 * ```ts
 * import { TumblingProcessingTimeWindows } from "./tumbling_windows.ts";
 * const w = TumblingProcessingTimeWindows.of(10_000);
 * w.assignWindows("e", 0, { currentProcessingTime: 25_000 }); // [[20000, 30000)]
 * ```
 */
export class TumblingProcessingTimeWindows implements WindowAssigner<unknown, TimeWindow> {
  readonly isEventTime = false;
  private readonly last = new LastWindows();

  private constructor(readonly sizeMs: number, readonly offsetMs: number) {}

  /** Windows of `sizeMs`, shifted by `offsetMs` (|offsetMs| < sizeMs). */
  static of(sizeMs: number, offsetMs = 0): TumblingProcessingTimeWindows {
    check("TumblingProcessingTimeWindows", sizeMs, offsetMs);
    return new TumblingProcessingTimeWindows(sizeMs, offsetMs);
  }

  assignWindows(_element: unknown, _ts: number, ctx: WindowAssignerContext): TimeWindow[] {
    return tumbling(ctx.currentProcessingTime, this.sizeMs, this.offsetMs, this.last);
  }

  defaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  toString(): string {
    return `TumblingProcessingTimeWindows(${this.sizeMs}, ${this.offsetMs})`;
  }
}
