/**
 * NeverTrigger (after Flink's GlobalWindows.NeverTrigger): the default
 * trigger of global windows.
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
 * Never fires. A global window never ends, so it needs a trigger of its own
 * (and usually an evictor).
 *
 * @example
 * ```ts
 * import { NeverTrigger } from "./never_trigger.ts";
 * const trigger = NeverTrigger.create();
 * ```
 */
export class NeverTrigger implements Trigger<unknown, Window> {
  readonly canMerge = true;

  private constructor() {}

  static create(): NeverTrigger {
    return new NeverTrigger();
  }

  onElement(_element: unknown, _ts: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onEventTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onProcessingTime(_timeMs: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return TriggerResult.CONTINUE;
  }

  onMerge(_window: Window, _ctx: OnMergeContext): void {}

  clear(_window: Window, _ctx: TriggerContext): void {}

  toString(): string {
    return "NeverTrigger()";
  }
}
