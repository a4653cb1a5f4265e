/**
 * MergingWindowSet (after Flink's): the in-flight windows of one key for a
 * merging (session) assigner, each mapped to its state window, the window
 * whose namespace holds the contents. When windows merge, the result takes
 * the state window of one of them, so the operator moves only the others'
 * state instead of renaming the lot. The operator keeps one set per key, in
 * keyed state, as the plain data of `snapshot()`.
 * @module
 */

import { TimeWindow, type TimeWindowData } from "./time_window.ts";
import type { MergingWindowAssigner } from "./window_assigners.ts";

/**
 * Called once per merge: the operator merges the contents of
 * `mergedStateWindows` into `stateWindowResult`, calls the trigger's
 * `onMerge` for `mergeResult`, and clears the triggers of `mergedWindows`.
 * The new window is never among `mergedWindows`: it has no state yet.
 */
export type MergeFunction = (
  mergeResult: TimeWindow,
  mergedWindows: readonly TimeWindow[],
  stateWindowResult: TimeWindow,
  mergedStateWindows: readonly TimeWindow[],
) => void;

/** The set as plain data: each in-flight window and its state window. */
export type MergingWindowSetSnapshot = readonly {
  readonly window: TimeWindowData;
  readonly stateWindow: TimeWindowData;
}[];

interface Entry {
  readonly window: TimeWindow;
  readonly stateWindow: TimeWindow;
}

/**
 * The in-flight windows of one key for a merging assigner.
 *
 * @example
 * ```ts
 * import { MergingWindowSet } from "./merging_window_set.ts";
 * import { EventTimeSessionWindows } from "./session_windows.ts";
 * import { TimeWindow } from "./time_window.ts";
 * const set = new MergingWindowSet(EventTimeSessionWindows.withGap(5));
 * const noMerge = () => {};
 * set.addWindow(new TimeWindow(1, 6), noMerge); // [1, 6)
 * set.addWindow(new TimeWindow(3, 8), (result, merged, stateWindow) => {
 *   // result [1, 8), merged [[1, 6)], stateWindow [1, 6): the contents stay where they are
 * }); // [1, 8)
 * set.getStateWindow(new TimeWindow(1, 8)); // [1, 6)
 * ```
 */
export class MergingWindowSet {
  private readonly mapping = new Map<string, Entry>();

  constructor(
    private readonly assigner: Pick<MergingWindowAssigner<unknown>, "mergeWindows">,
    restored: MergingWindowSetSnapshot = [],
  ) {
    for (const { window, stateWindow } of restored) {
      const entry = { window: TimeWindow.from(window), stateWindow: TimeWindow.from(stateWindow) };
      this.mapping.set(entry.window.key, entry);
    }
  }

  /** The number of in-flight windows. */
  get size(): number {
    return this.mapping.size;
  }

  /** The in-flight windows. */
  windows(): TimeWindow[] {
    return [...this.mapping.values()].map((e) => e.window);
  }

  /** The window holding the contents of in-flight `window`, or undefined when not in flight. */
  getStateWindow(window: TimeWindow): TimeWindow | undefined {
    return this.mapping.get(window.key)?.stateWindow;
  }

  /** Forgets `window` (fired and purged, or past its cleanup time). */
  retireWindow(window: TimeWindow): void {
    if (!this.mapping.delete(window.key)) {
      throw new Error(
        `window ${window} is not in the merging window set: retire only windows addWindow returned`,
      );
    }
  }

  /**
   * Adds `newWindow`, merging it with the in-flight windows it intersects, and
   * returns the window it ended up in: add the element and call the trigger
   * on that one. `merge` is called before this returns, once per merge.
   */
  addWindow(newWindow: TimeWindow, merge: MergeFunction): TimeWindow {
    // In-flight windows never intersect each other, so an identical window merges
    // with nothing; Flink would remap it to itself, losing a merged state window.
    if (this.mapping.has(newWindow.key)) return newWindow;
    const merges: [TimeWindow, TimeWindow[]][] = [];
    this.assigner.mergeWindows(
      [...this.windows(), newWindow],
      (toBeMerged, result) => merges.push([result, toBeMerged]),
    );
    let resultWindow = newWindow;
    let mergedNewWindow = false;
    for (const [mergeResult, toBeMerged] of merges) {
      const mergedWindows = toBeMerged.filter((w) => !w.equals(newWindow));
      if (mergedWindows.length < toBeMerged.length) {
        mergedNewWindow = true;
        resultWindow = mergeResult;
      }
      const stateWindow = this.takeStateWindows(mergedWindows);
      this.mapping.set(mergeResult.key, { window: mergeResult, stateWindow: stateWindow[0] });
      // Merging one window into itself (the new window fell inside it) moves nothing.
      if (mergedWindows.length !== 1 || !mergedWindows[0].equals(mergeResult)) {
        merge(mergeResult, mergedWindows, stateWindow[0], stateWindow.slice(1));
      }
    }
    if (merges.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow)) {
      this.mapping.set(newWindow.key, { window: newWindow, stateWindow: newWindow });
    }
    return resultWindow;
  }

  /** The set as plain data, for keyed state. */
  snapshot(): MergingWindowSetSnapshot {
    return [...this.mapping.values()].map((e) => ({
      window: e.window.toData(),
      stateWindow: e.stateWindow.toData(),
    }));
  }

  /** Removes `windows` from the mapping; returns their distinct state windows, the first one kept. */
  private takeStateWindows(windows: readonly TimeWindow[]): TimeWindow[] {
    const stateWindows = new Map<string, TimeWindow>();
    for (const w of windows) {
      const entry = this.mapping.get(w.key);
      if (entry === undefined) {
        throw new Error(
          `the assigner merged window ${w}, which is neither in flight nor the new window`,
        );
      }
      this.mapping.delete(w.key);
      stateWindows.set(entry.stateWindow.key, entry.stateWindow);
    }
    if (stateWindows.size === 0) {
      throw new Error("the assigner merged the new window with no in-flight window");
    }
    return [...stateWindows.values()];
  }
}
