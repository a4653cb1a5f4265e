/**
 * ProcessingTimeTrigger (after Flink's): the default trigger of
 * processing-time windows.
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
 * Fires when processing time reaches the window's end.
 *
 * @example
 * ```ts
 * import { ProcessingTimeTrigger } from "./processing_time_trigger.ts";
 * const trigger = ProcessingTimeTrigger.create();
 * ```
 */
export class ProcessingTimeTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor() {}

  static create(): ProcessingTimeTrigger {
    return new ProcessingTimeTrigger();
  }

  onElement(_element: unknown, _ts: number, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return TriggerResult.CONTINUE;
  }

  onEventTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.FIRE;
  }

  onMerge(window: Window, ctx: OnMergeContext): void {
    if (window.maxTimestamp() > ctx.currentProcessingTime) {
      ctx.registerProcessingTimeTimer(window.maxTimestamp());
    }
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  toString(): string {
    return "ProcessingTimeTrigger()";
  }
}
