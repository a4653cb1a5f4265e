/**
 * What every window is to the functions, triggers and operators that handle
 * it (after Flink's Window); the windows themselves (TimeWindow, GlobalWindow)
 * are in `core/windows/`.
 * @module
 */

/**
 * What the triggers and the window operator need of any window.
 *
 * @example
 * ```ts
 * import type { Window } from "./window.ts";
 * const everything: Window = { key: "all", maxTimestamp: () => Number.MAX_SAFE_INTEGER };
 * ```
 */
export interface Window {
  /** A stable string naming the window: equal windows have equal keys. */
  readonly key: string;
  /** The largest timestamp that still belongs to the window. */
  maxTimestamp(): number;
}
