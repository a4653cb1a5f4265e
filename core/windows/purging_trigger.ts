/**
 * PurgingTrigger (after Flink's): makes any trigger purge when it fires.
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
 * Turns every FIRE of the wrapped trigger into FIRE_AND_PURGE, so each firing
 * sees only the elements that arrived since the previous one.
 *
 * @example
 * ```ts
 * import { CountTrigger } from "./count_trigger.ts";
 * import { PurgingTrigger } from "./purging_trigger.ts";
 * const batchesOfTen = PurgingTrigger.of(CountTrigger.of(10));
 * ```
 */
export class PurgingTrigger<T, W extends Window> implements Trigger<T, W> {
  readonly canMerge: boolean;

  private constructor(readonly nested: Trigger<T, W>) {
    this.canMerge = nested.canMerge;
  }

  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(timeMs: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(timeMs, window, ctx));
  }

  onProcessingTime(timeMs: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(timeMs, window, ctx));
  }

  onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge?.(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }

  toString(): string {
    return `PurgingTrigger(${this.nested})`;
  }
}

function purging(result: TriggerResult): TriggerResult {
  return result.fire ? TriggerResult.FIRE_AND_PURGE : result;
}
