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

/**
 * An in-flight window and its state window: the state value's own objects.
 * Windows this set made are TimeWindows (stored in state as their plain
 * `{ start, end }`), restored ones plain data until first used as a window:
 * then the entry keeps the TimeWindow, so its key string is made once per
 * window, not per element.
 */
interface Entry {
  window: TimeWindowData;
  stateWindow: TimeWindowData;
}

/** The entry's window as a TimeWindow, kept in the entry. */
function windowOf(e: Entry): TimeWindow {
  const w = e.window;
  return w instanceof TimeWindow ? w : (e.window = TimeWindow.from(w));
}

/** The entry's state window as a TimeWindow, kept in the entry. */
function stateWindowOf(e: Entry): TimeWindow {
  const w = e.stateWindow;
  return w instanceof TimeWindow ? w : (e.stateWindow = TimeWindow.from(w));
}

const NONE: readonly TimeWindow[] = Object.freeze([]);

const same = (a: TimeWindowData, b: TimeWindowData) => a.start === b.start && a.end === b.end;

/**
 * Entry arrays known to be in order of start: a set's entries are its state
 * value, kept in order by every change, so only an array not seen before (a
 * restored one, maybe stored unsorted by an older version) is checked, not
 * the state value of every element again (that scan was 7% of a session
 * window job's CPU).
 */
const SORTED = new WeakSet<readonly Entry[]>();

function isSorted(entries: readonly Entry[]): boolean {
  for (let i = 1; i < entries.length; i++) {
    if (entries[i - 1].window.start > entries[i].window.start) return false;
  }
  return true;
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
  /**
   * The entries, kept as the plain data they are stored as: the operator's
   * state value is wrapped, not copied, so a key with hundreds of open
   * sessions (a watermark that lags) costs a scan of numbers per element,
   * not hundreds of objects.
   */
  private entries: Entry[] = [];
  /** The assigner merges exactly the windows that intersect (sessions): the fast path. */
  private readonly intersectingOnly: boolean;

  /** `restored` (a `snapshot()`, for example a state value) is taken over, not copied. */
  constructor(
    private readonly assigner: Pick<
      MergingWindowAssigner<unknown>,
      "mergeWindows" | "mergesIntersecting"
    >,
    restored: MergingWindowSetSnapshot = [],
  ) {
    this.intersectingOnly = assigner.mergesIntersecting === true;
    this.load(restored);
  }

  /**
   * Takes over `restored` (a `snapshot()`, for example a state value) as the set's
   * windows: the operator loads each key's set into one object, not a new one per element.
   */
  load(restored: MergingWindowSetSnapshot): this {
    const entries = this.entries = restored as Entry[];
    // The fast path keeps its disjoint windows in order of start, to find them by bisection
    // (sets stored before it did are put in order once).
    if (this.intersectingOnly && !SORTED.has(entries)) {
      if (!isSorted(entries)) entries.sort((a, b) => a.window.start - b.window.start);
      SORTED.add(entries);
    }
    return this;
  }

  /** The number of in-flight windows. */
  get size(): number {
    return this.entries.length;
  }

  /** The in-flight windows. */
  windows(): TimeWindow[] {
    return this.entries.map(windowOf);
  }

  /** The window holding the contents of in-flight `window`, or undefined when not in flight. */
  getStateWindow(window: TimeWindow): TimeWindow | undefined {
    const i = this.indexOf(window);
    return i < 0 ? undefined : stateWindowOf(this.entries[i]);
  }

  /** Forgets `window` (fired and purged, or past its cleanup time). */
  retireWindow(window: TimeWindow): void {
    const i = this.indexOf(window);
    if (i < 0) {
      throw new Error(
        `window ${window} is not in the merging window set: retire only windows addWindow returned`,
      );
    }
    this.entries.splice(i, 1);
  }

  /**
   * Adds `newWindow`, merging it with the in-flight windows it intersects, and
   * returns the window it ended up in: add the element and call the trigger
   * on that one. `merge` is called before this returns, once per merge.
   */
  addWindow(newWindow: TimeWindow, merge: MergeFunction): TimeWindow {
    // In-flight windows never intersect each other, so an identical window merges
    // with nothing; Flink would remap it to itself, losing a merged state window.
    const i = this.indexOf(newWindow);
    if (i >= 0) return windowOf(this.entries[i]);
    if (!this.intersectingOnly) return this.addWindowGeneric(newWindow, merge);
    // In-flight windows are disjoint and in order of start, so what merges is the new
    // window and the run of those it intersects: their cover intersects no other.
    const e = this.entries;
    const from = this.firstEndingFrom(newWindow.start);
    let to = from;
    while (to < e.length && e[to].window.start <= newWindow.end) to++;
    if (to === from) {
      e.splice(from, 0, { window: newWindow, stateWindow: newWindow });
      return newWindow;
    }
    const start = Math.min(newWindow.start, e[from].window.start);
    const end = Math.max(newWindow.end, e[to - 1].window.end);
    if (to === from + 1) return this.growInto(e[from], start, end, merge);
    const result = new TimeWindow(start, end);
    const hits = e.slice(from, to);
    const merged = hits.map(windowOf);
    const stateWindows: TimeWindowData[] = [];
    for (const h of hits) {
      if (!stateWindows.some((sw) => same(sw, h.stateWindow))) stateWindows.push(h.stateWindow);
    }
    e.splice(from, to - from, { window: result, stateWindow: stateWindows[0] });
    const states = stateWindows.map(TimeWindow.from);
    merge(result, merged, states[0], states.slice(1));
    return result;
  }

  /**
   * The common merge: the new window meets one in-flight window `hit`, which
   * grows to [start, end) in place (its state window stays), or holds it already.
   */
  private growInto(hit: Entry, start: number, end: number, merge: MergeFunction): TimeWindow {
    const old = windowOf(hit);
    if (start === old.start && end === old.end) return old; // inside it: nothing moves
    const result = hit.window = new TimeWindow(start, end);
    merge(result, [old], stateWindowOf(hit), NONE);
    return result;
  }

  /** The set as plain data, for keyed state: its own entries. */
  snapshot(): MergingWindowSetSnapshot {
    return this.entries;
  }

  private indexOf(window: TimeWindow): number {
    const e = this.entries;
    if (this.intersectingOnly) {
      const i = this.firstEndingFrom(window.end);
      return i < e.length && e[i].window.start === window.start && e[i].window.end === window.end
        ? i
        : -1;
    }
    for (let i = 0; i < e.length; i++) {
      if (e[i].window.start === window.start && e[i].window.end === window.end) return i;
    }
    return -1;
  }

  /** Fast path: the first in-flight window whose end is at `t` or later (ends grow with starts). */
  private firstEndingFrom(t: number): number {
    const e = this.entries;
    let lo = 0, hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid].window.end < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Any merging assigner: it is shown every in-flight window (Flink's way). */
  private addWindowGeneric(newWindow: TimeWindow, merge: MergeFunction): TimeWindow {
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
      this.entries.push({ window: mergeResult, stateWindow: stateWindow[0] });
      // Merging one window into itself (the new window fell inside it) moves nothing.
      if (mergedWindows.length !== 1 || !mergedWindows[0].equals(mergeResult)) {
        merge(mergeResult, mergedWindows, stateWindow[0], stateWindow.slice(1));
      }
    }
    if (merges.length === 0 || (resultWindow.equals(newWindow) && !mergedNewWindow)) {
      this.entries.push({ window: newWindow, stateWindow: newWindow });
    }
    return resultWindow;
  }

  /** Removes `windows` from the set; returns their distinct state windows, the first one kept. */
  private takeStateWindows(windows: readonly TimeWindow[]): TimeWindow[] {
    const stateWindows = new Map<string, TimeWindow>();
    for (const w of windows) {
      const i = this.indexOf(w);
      if (i < 0) {
        throw new Error(
          `the assigner merged window ${w}, which is neither in flight nor the new window`,
        );
      }
      const sw = stateWindowOf(this.entries[i]);
      this.entries.splice(i, 1);
      stateWindows.set(sw.key, sw);
    }
    if (stateWindows.size === 0) {
      throw new Error("the assigner merged the new window with no in-flight window");
    }
    return [...stateWindows.values()];
  }
}
