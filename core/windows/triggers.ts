/**
 * The trigger contract (after Flink's Trigger, TriggerResult and
 * Trigger.TriggerContext): a trigger decides when a window is evaluated
 * (fire) and when its contents are dropped (purge). It is called on each
 * element and on each timer it registered, and keeps what it must remember
 * (counts, next firing times) in per-window state the operator provides, so
 * one trigger instance serves every key and window. The triggers themselves
 * are in files of their own (`event_time_trigger.ts`, `count_trigger.ts`, ...).
 * @module
 */

import type { ValueState } from "../api/state.ts";
import type { Window } from "../api/window.ts";

/** What the operator does with the window after a trigger call. */
export interface TriggerResult {
  readonly name: "CONTINUE" | "FIRE" | "PURGE" | "FIRE_AND_PURGE";
  /** Evaluate the window function on the window's contents. */
  readonly fire: boolean;
  /** Drop the window's contents (its trigger state stays until `clear`). */
  readonly purge: boolean;
}

/**
 * The four results.
 *
 * @example
 * ```ts
 * import { TriggerResult } from "./triggers.ts";
 * TriggerResult.FIRE_AND_PURGE.fire; // true
 * TriggerResult.CONTINUE.purge; // false
 * ```
 */
export const TriggerResult: {
  readonly CONTINUE: TriggerResult;
  readonly FIRE: TriggerResult;
  readonly PURGE: TriggerResult;
  readonly FIRE_AND_PURGE: TriggerResult;
} = Object.freeze({
  CONTINUE: Object.freeze({ name: "CONTINUE", fire: false, purge: false }),
  FIRE: Object.freeze({ name: "FIRE", fire: true, purge: false }),
  PURGE: Object.freeze({ name: "PURGE", fire: false, purge: true }),
  FIRE_AND_PURGE: Object.freeze({ name: "FIRE_AND_PURGE", fire: true, purge: true }),
});

/**
 * What the window operator offers a trigger, scoped to the current key and
 * window. Timers are per key and window, and registering one twice keeps one.
 */
export interface TriggerContext {
  /** The operator's event time: `MIN_WATERMARK` (-Infinity) before the first watermark. */
  readonly currentWatermark: number;
  /** The operator's processing time, in ms. */
  readonly currentProcessingTime: number;
  /** Calls `onEventTime(timeMs)` once the watermark reaches `timeMs`. */
  registerEventTimeTimer(timeMs: number): void;
  /** Calls `onProcessingTime(timeMs)` once processing time reaches `timeMs`. */
  registerProcessingTimeTimer(timeMs: number): void;
  /** Removes a timer; a no-op when it is not registered. */
  deleteEventTimeTimer(timeMs: number): void;
  /** Removes a timer; a no-op when it is not registered. */
  deleteProcessingTimeTimer(timeMs: number): void;
  /** The trigger's state `name` for the current key and window. */
  getState<V>(name: string): ValueState<V>;
}

/** The context of `onMerge`: the current window is the merge result. */
export interface OnMergeContext extends TriggerContext {
  /**
   * Folds state `name` of the merged windows (and of the result, when set)
   * into the result window's state with `combine`. The merged windows keep
   * theirs: the operator calls `clear` for each of them next, and the trigger
   * needs it there to find the timers to delete.
   */
  mergeState<V>(name: string, combine: (a: V, b: V) => V): void;
}

/**
 * Decides when a window fires and purges. A trigger must keep no per-window
 * fields: one instance serves every key and window.
 */
export interface Trigger<T, W extends Window> {
  /** True when `onMerge` can combine the state of merged windows (session windows need it). */
  readonly canMerge: boolean;
  /** Called for each element added to `window`. */
  onElement(element: T, timestamp: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when an event-time timer this trigger registered for `window` fires. */
  onEventTime(timeMs: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Called when a processing-time timer this trigger registered for `window` fires. */
  onProcessingTime(timeMs: number, window: W, ctx: TriggerContext): TriggerResult;
  /** Windows merged into `window`: combine their state and re-register timers. */
  onMerge?(window: W, ctx: OnMergeContext): void;
  /** The window is dropped: remove the state and timers this trigger holds for it. */
  clear(window: W, ctx: TriggerContext): void;
}
