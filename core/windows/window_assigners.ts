/**
 * The window assigner contract (after Flink's WindowAssigner and
 * MergingWindowAssigner): an assigner puts each element into zero or more
 * windows and names the trigger windows get by default. Merging assigners
 * (sessions) also say which of a key's windows merge. The assigners are in
 * `tumbling_windows.ts`, `sliding_windows.ts`, `session_windows.ts` and
 * `global_windows.ts`.
 * @module
 */

import type { Window } from "../api/window.ts";
import type { MergeCallback, TimeWindow } from "./time_window.ts";
import type { Trigger } from "./triggers.ts";

/** What the operator tells an assigner; processing-time assigners read the time here. */
export interface WindowAssignerContext {
  readonly currentProcessingTime: number;
}

/** Puts elements into windows. */
export interface WindowAssigner<T, W extends Window> {
  /** The windows `element` (with event time `timestamp`) belongs to. */
  assignWindows(element: T, timestamp: number, ctx: WindowAssignerContext): W[];
  /** True when the windows are in event time (fired by watermarks). */
  readonly isEventTime: boolean;
  /** The trigger used when the user sets none. */
  defaultTrigger(): Trigger<T, W>;
  /** True for assigners whose windows merge (see {@linkcode MergingWindowAssigner}). */
  readonly merging?: boolean;
}

/** An assigner whose windows merge when they intersect (session windows). */
export interface MergingWindowAssigner<T> extends WindowAssigner<T, TimeWindow> {
  readonly merging: true;
  /** Calls `callback` for each group of `windows` that merges into one. */
  mergeWindows(windows: readonly TimeWindow[], callback: MergeCallback<TimeWindow>): void;
  /**
   * True when `mergeWindows` merges exactly the windows that intersect
   * (`TimeWindow.mergeWindows`, as sessions do): the operator then looks only
   * at the windows a new one intersects instead of showing it every one.
   */
  readonly mergesIntersecting?: boolean;
}

/**
 * True when `assigner` merges windows; the window operator then keeps a
 * `MergingWindowSet` per key.
 *
 * @example
 * ```ts
 * import { isMergingWindowAssigner } from "./window_assigners.ts";
 * import { EventTimeSessionWindows } from "./session_windows.ts";
 * isMergingWindowAssigner(EventTimeSessionWindows.withGap(5_000)); // true
 * ```
 */
export function isMergingWindowAssigner<T>(
  assigner: WindowAssigner<T, Window>,
): assigner is MergingWindowAssigner<T> {
  return assigner.merging === true;
}
