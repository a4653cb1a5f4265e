/**
 * Periodic triggers (after Flink's ContinuousEventTimeTrigger and
 * ContinuousProcessingTimeTrigger): they fire a window every `intervalMs`,
 * at multiples of the interval, to show early results before it ends.
 * Each keeps the next firing time in the window's state "fire-time"; when
 * windows merge, the earliest one wins.
 * @module
 */

import type { Window } from "../api/window.ts";
import { requirePositiveMs } from "./_checks.ts";
import { getWindowStartWithOffset } from "./time_window.ts";
import {
  type OnMergeContext,
  type Trigger,
  type TriggerContext,
  TriggerResult,
} from "./triggers.ts";

const FIRE_TIME = "fire-time";
const min = (a: number, b: number) => Math.min(a, b);

/** Schedules the first firing after `timeMs`: the next multiple of the interval, at most the window end. */
function scheduleNext(
  timeMs: number,
  intervalMs: number,
  window: Window,
  ctx: TriggerContext,
  register: (t: number) => void,
): void {
  const next = Math.min(timeMs + intervalMs, window.maxTimestamp());
  ctx.getState<number>(FIRE_TIME).update(next);
  register(next);
}

/**
 * Fires every `intervalMs` of event time and once more when the watermark
 * passes the window's end (like `EventTimeTrigger`, also at once for
 * a late element).
 *
 * @example
 * ```ts
 * import { ContinuousEventTimeTrigger } from "./continuous_triggers.ts";
 * const everyMinute = ContinuousEventTimeTrigger.of(60_000);
 * ```
 */
export class ContinuousEventTimeTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor(readonly intervalMs: number) {}

  static of(intervalMs: number): ContinuousEventTimeTrigger {
    requirePositiveMs(intervalMs, "ContinuousEventTimeTrigger.of: intervalMs");
    return new ContinuousEventTimeTrigger(intervalMs);
  }

  onElement(
    _element: unknown,
    timestamp: number,
    window: Window,
    ctx: TriggerContext,
  ): TriggerResult {
    if (window.maxTimestamp() <= ctx.currentWatermark) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    if (ctx.getState<number>(FIRE_TIME).value() === undefined) {
      // Flink aligns with `timestamp - timestamp % interval`, wrong below 0; this floors.
      const aligned = getWindowStartWithOffset(timestamp, 0, this.intervalMs);
      scheduleNext(aligned, this.intervalMs, window, ctx, (t) => ctx.registerEventTimeTimer(t));
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(timeMs: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (timeMs === window.maxTimestamp()) return TriggerResult.FIRE;
    const fireTime = ctx.getState<number>(FIRE_TIME);
    if (fireTime.value() !== timeMs) return TriggerResult.CONTINUE;
    scheduleNext(timeMs, this.intervalMs, window, ctx, (t) => ctx.registerEventTimeTimer(t));
    return TriggerResult.FIRE;
  }

  onProcessingTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    ctx.mergeState(FIRE_TIME, min);
    const next = ctx.getState<number>(FIRE_TIME).value();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
    if (window.maxTimestamp() > ctx.currentWatermark) {
      ctx.registerEventTimeTimer(window.maxTimestamp());
    }
  }

  clear(window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getState<number>(FIRE_TIME);
    const next = fireTime.value();
    if (next !== undefined) ctx.deleteEventTimeTimer(next);
    fireTime.clear();
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return `ContinuousEventTimeTrigger(${this.intervalMs})`;
  }
}

/**
 * Fires every `intervalMs` of processing time, the last time at the window's
 * end.
 *
 * @example
 * ```ts
 * import { ContinuousProcessingTimeTrigger } from "./continuous_triggers.ts";
 * const everyTenSeconds = ContinuousProcessingTimeTrigger.of(10_000);
 * ```
 */
export class ContinuousProcessingTimeTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor(readonly intervalMs: number) {}

  static of(intervalMs: number): ContinuousProcessingTimeTrigger {
    requirePositiveMs(intervalMs, "ContinuousProcessingTimeTrigger.of: intervalMs");
    return new ContinuousProcessingTimeTrigger(intervalMs);
  }

  onElement(_element: unknown, _ts: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (ctx.getState<number>(FIRE_TIME).value() === undefined) {
      const aligned = getWindowStartWithOffset(ctx.currentProcessingTime, 0, this.intervalMs);
      scheduleNext(
        aligned,
        this.intervalMs,
        window,
        ctx,
        (t) => ctx.registerProcessingTimeTimer(t),
      );
    }
    return TriggerResult.CONTINUE;
  }

  onEventTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(timeMs: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getState<number>(FIRE_TIME);
    if (fireTime.value() !== timeMs) return TriggerResult.CONTINUE;
    // After the firing at the window end nothing is left to schedule (Flink registers the
    // end again, a timer already due); the state stays set, so elements schedule nothing.
    if (timeMs < window.maxTimestamp()) {
      scheduleNext(timeMs, this.intervalMs, window, ctx, (t) => ctx.registerProcessingTimeTimer(t));
    }
    return TriggerResult.FIRE;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergeState(FIRE_TIME, min);
    const next = ctx.getState<number>(FIRE_TIME).value();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getState<number>(FIRE_TIME);
    const next = fireTime.value();
    if (next !== undefined) ctx.deleteProcessingTimeTimer(next);
    fireTime.clear();
  }

  toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.intervalMs})`;
  }
}
