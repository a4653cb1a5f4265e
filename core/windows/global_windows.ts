/**
 * GlobalWindows (after Flink's): one window per key for all its elements.
 * @module
 */

import { NeverTrigger } from "./never_trigger.ts";
import { GlobalWindow } from "./time_window.ts";
import type { Trigger } from "./triggers.ts";
import type { WindowAssigner, WindowAssignerContext } from "./window_assigners.ts";

/**
 * Puts every element of a key into the one {@linkcode GlobalWindow}. Its
 * default trigger never fires: set a trigger (and usually an evictor).
 *
 * @example
 * ```ts
 * import { CountTrigger } from "./count_trigger.ts";
 * import { GlobalWindows } from "./global_windows.ts";
 * const assigner = GlobalWindows.create();
 * const trigger = CountTrigger.of(100); // what the user sets instead of the default
 * ```
 */
export class GlobalWindows implements WindowAssigner<unknown, GlobalWindow> {
  readonly isEventTime = false;

  private constructor() {}

  static create(): GlobalWindows {
    return new GlobalWindows();
  }

  assignWindows(_element: unknown, _ts: number, _ctx: WindowAssignerContext): GlobalWindow[] {
    return [GlobalWindow.get()];
  }

  defaultTrigger(): Trigger<unknown, GlobalWindow> {
    return NeverTrigger.create();
  }

  toString(): string {
    return "GlobalWindows()";
  }
}
