/**
 * CountTrigger (after Flink's): fires by element count. The count is the
 * window's state "count"; merged windows add their counts.
 * @module
 */

import type { Window } from "../api/window.ts";
import { requireCount } from "./_checks.ts";
import {
  type OnMergeContext,
  type Trigger,
  type TriggerContext,
  TriggerResult,
} from "./triggers.ts";

const COUNT = "count";
const sum = (a: number, b: number) => a + b;

/**
 * Fires every `maxCount` elements of a window, then counts again from zero.
 *
 * @example
 * ```ts
 * import { CountTrigger } from "./count_trigger.ts";
 * const everyHundred = CountTrigger.of(100);
 * ```
 */
export class CountTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor(readonly maxCount: number) {}

  static of(maxCount: number): CountTrigger {
    requireCount(maxCount, "CountTrigger.of: maxCount");
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _ts: number, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getState<number>(COUNT);
    const n = (count.value() ?? 0) + 1;
    if (n >= this.maxCount) {
      count.clear();
      return TriggerResult.FIRE;
    }
    count.update(n);
    return TriggerResult.CONTINUE;
  }

  onEventTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergeState(COUNT, sum);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getState<number>(COUNT).clear();
  }

  toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
