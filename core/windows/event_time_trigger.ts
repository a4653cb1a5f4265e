/**
 * EventTimeTrigger (after Flink's): the default trigger of event-time windows.
 * @module
 */

import type { Window } from "../api/window.ts";
import {
  type OnMergeContext,
  type Trigger,
  type TriggerContext,
  TriggerResult,
} from "./triggers.ts";

/**
 * Fires once the watermark passes the window's end. An element that arrives
 * when the watermark is already past fires the window at once: that is the
 * late firing an allowed lateness permits (the operator drops elements later
 * than that before calling the trigger).
 *
 * @example
 * ```ts
 * import { EventTimeTrigger } from "./event_time_trigger.ts";
 * const trigger = EventTimeTrigger.create();
 * ```
 */
export class EventTimeTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor() {}

  static create(): EventTimeTrigger {
    return new EventTimeTrigger();
  }

  onElement(_element: unknown, _ts: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.currentWatermark) return TriggerResult.FIRE;
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(timeMs: number, window: Window, _ctx: TriggerContext): TriggerResult {
    return timeMs === window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
  }

  onProcessingTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    // A merge result the watermark already passed fires with its next element instead.
    if (window.maxTimestamp() > ctx.currentWatermark) {
      ctx.registerEventTimeTimer(window.maxTimestamp());
    }
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return "EventTimeTrigger()";
  }
}
