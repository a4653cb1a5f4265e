/**
 * The in-memory contents of aligned event-time windows (tumbling, and sliding
 * whose size is a multiple of the slide), after Flink SQL's window slicing:
 * one table per slice end, key -> accumulator, and no per-key timers: the
 * watermark fires every window it passed, in order of window end. Two modes:
 *
 * - `slices`: an element updates one accumulator, that of its slice (a slide
 *   long); a window merges the accumulators of its size/slide slices when it
 *   fires. Needs an AggregateFunction with `merge`.
 * - `windows`: an element updates the accumulator of each of its windows (one
 *   for tumbling windows); a window fires its own table. Serves reduce, and
 *   aggregates without `merge`.
 *
 * Per element this is a map lookup and an `add`: no key group hash, no state
 * key string, no timer (those were most of the general window operator's time).
 * @module
 */

import type { ReduceFunction } from "../api/functions.ts";
import type { AggregateFunction } from "../api/state.ts";
import { type StateKey, stateKeyOf } from "../state/keyed_state_backend.ts";
import { getWindowStartWithOffset, TimeWindow } from "../windows/time_window.ts";
import type { WindowFold } from "./window_contents.ts";

/** The window geometry, in event-time milliseconds. */
export interface SliceShape {
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly offsetMs: number;
}

/** How accumulators are made and combined. */
export type SliceFold =
  | { readonly kind: "reduce"; readonly fn: ReduceFunction<unknown> }
  | { readonly kind: "aggregate"; readonly fn: AggregateFunction<unknown, unknown, unknown> };

/** One key's accumulator in one table. */
export interface SliceEntry {
  readonly key: unknown;
  /** The key's state key (the table's key for it). */
  readonly sk: StateKey;
  readonly keyGroup: number;
  acc: unknown;
}

/** Receives each key's result of a firing window (the accumulator or reduced value). */
export type WindowEmit = (key: unknown, acc: unknown, window: TimeWindow) => void;

/** A key group's part of a snapshot: plain data for the state file. */
export interface SliceGroupSnapshot {
  readonly keyGroup: number;
  /** The last window end fired when the snapshot was taken (slices mode). */
  readonly firedUpTo: number;
  /** Flat triples: table end, key, accumulator. */
  readonly entries: unknown[];
}

/** The reduce accumulator of a key with no element yet. */
export const EMPTY = Symbol("empty");

/** A new key's accumulator: the aggregate's fresh one, or EMPTY for a reduce. */
export function emptyAccumulator(fold: SliceFold): unknown {
  return fold.kind === "aggregate" ? fold.fn.createAccumulator() : EMPTY;
}

/** `acc` with `value` folded in. */
export function foldIn(fold: SliceFold, acc: unknown, value: unknown): unknown {
  if (fold.kind === "aggregate") return fold.fn.add(value, acc);
  return acc === EMPTY ? value : fold.fn(acc, value);
}

/** `into` with the accumulator `other` merged in (aggregates need `merge`). */
export function foldMerge(fold: SliceFold, into: unknown, other: unknown): unknown {
  return fold.kind === "aggregate" ? fold.fn.merge!(into, other) : fold.fn(into, other);
}

/** A window's elements as a slice accumulator: a list per slice, joined when a window fires. */
const ELEMENTS: SliceFold = {
  kind: "aggregate",
  fn: {
    createAccumulator: () => [],
    add: (value, acc) => {
      (acc as unknown[]).push(value);
      return acc;
    },
    getResult: (acc) => acc,
    // Into `a` (a window's fresh list, see SliceTable.fireSlices), not a copy per slice.
    merge: (a, b) => {
      const into = a as unknown[];
      for (const x of b as unknown[]) into.push(x);
      return into;
    },
  },
};

/** How a table (of slices, or of sessions) folds `fold`'s contents. */
export function sliceFoldOf(fold: WindowFold): SliceFold {
  return fold.kind === "list" ? ELEMENTS : fold;
}

/**
 * An accumulator for a snapshot: objects copied, as they change in place
 * after it is taken. (An entry is made with its first element, so it never
 * holds EMPTY.)
 */
export function snapshotAccumulator(acc: unknown): unknown {
  return typeof acc === "object" ? structuredClone(acc) : acc;
}

/** Tables of entries by key, one per slice (or window) end, the ends kept ascending. */
export class EndTables<E> {
  private readonly tables = new Map<number, Map<StateKey, E>>();
  /** The ends, ascending. */
  readonly ends: number[] = [];
  private lastEnd = NaN;
  private last: Map<StateKey, E> | undefined;

  /** The table of `end`, made if absent; the one used last is at hand without a lookup. */
  tableFor(end: number): Map<StateKey, E> {
    if (end === this.lastEnd) return this.last!;
    let table = this.tables.get(end);
    if (table === undefined) {
      this.tables.set(end, table = new Map());
      const ends = this.ends;
      let i = ends.length;
      while (i > 0 && ends[i - 1] > end) i--;
      ends.splice(i, 0, end);
    }
    this.lastEnd = end;
    this.last = table;
    return table;
  }

  /** The table of `end`, if there is one. */
  get(end: number): Map<StateKey, E> | undefined {
    return this.tables.get(end);
  }

  /** Removes and returns the table of the earliest end. */
  shift(): Map<StateKey, E> {
    const end = this.ends.shift()!;
    const table = this.tables.get(end)!;
    this.tables.delete(end);
    if (end === this.lastEnd) {
      this.lastEnd = NaN;
      this.last = undefined;
    }
    return table;
  }
}

/** A key's merged slices while a window fires (kept from window to window: made once per key). */
interface Merging {
  key: unknown;
  keyGroup: number;
  acc: unknown;
  /** The firing this key's `acc` belongs to. */
  round: number;
}

export class SliceTable {
  private readonly tables = new EndTables<SliceEntry>();
  /** Slices mode: each key's merged accumulator while a window fires. */
  private readonly merging = new Map<StateKey, Merging>();
  /** The keys of the window firing, in order of first slice. */
  private readonly firing: Merging[] = [];
  private round = 0;
  /** The last window end fired (slices mode: earlier slices may still serve later windows). */
  private firedUpTo = -Infinity;
  /** Key groups restored with a later `firedUpTo` than this table's: their windows up to it fired. */
  private readonly restoredFired = new Map<number, number>();
  private readonly slicing: boolean;
  /** Size minus slide: from an element's first window end to its last. */
  private readonly span: number;
  /** From a table's end to the end of the last window it serves (0: a table is one window). */
  private readonly serves: number;
  watermark = -Infinity;

  constructor(
    private readonly shape: SliceShape,
    private readonly fold: SliceFold,
    /** Validates a new key for this subtask and returns its key group. */
    private readonly keyGroupOf: (key: unknown) => number,
  ) {
    this.slicing = shape.sizeMs > shape.slideMs && fold.kind === "aggregate" &&
      fold.fn.merge !== undefined;
    this.span = shape.sizeMs - shape.slideMs;
    this.serves = this.slicing ? this.span : 0;
  }

  /** Adds an element; false when every window it belongs to has fired (a late element). */
  add(key: unknown, value: unknown, timestamp: number): boolean {
    const { slideMs, offsetMs } = this.shape;
    let end = getWindowStartWithOffset(timestamp, offsetMs, slideMs) + slideMs;
    const last = end + this.span;
    const watermark = this.watermark;
    if (last - 1 <= watermark) return false;
    const sk = stateKeyOf(key);
    if (this.slicing) {
      this.addTo(end, sk, key, value);
      return true;
    }
    while (end - 1 <= watermark) end += slideMs;
    for (; end <= last; end += slideMs) this.addTo(end, sk, key, value);
    return true;
  }

  private addTo(end: number, sk: StateKey, key: unknown, value: unknown): void {
    const table = this.tables.tableFor(end);
    let e = table.get(sk);
    if (e === undefined) {
      const keyGroup = this.keyGroupOf(key);
      table.set(sk, e = { key, sk, keyGroup, acc: emptyAccumulator(this.fold) });
    }
    e.acc = foldIn(this.fold, e.acc, value);
  }

  /** The watermark reached `watermark`: emits every window it passed, by window end. */
  advance(watermark: number, emit: WindowEmit): void {
    this.watermark = watermark;
    const { sizeMs, slideMs } = this.shape;
    const ends = this.tables.ends;
    while (ends.length > 0) {
      const end = this.slicing ? Math.max(this.firedUpTo + slideMs, ends[0]) : ends[0];
      if (end - 1 > watermark) break;
      const window = new TimeWindow(end - sizeMs, end);
      if (this.slicing) this.fireSlices(window, emit);
      else this.fireTable(window, emit);
      this.firedUpTo = end;
      if (this.restoredFired.size > 0) this.forgetRestoredFired();
      while (ends.length > 0 && ends[0] + this.serves <= end) this.tables.shift();
    }
  }

  private fireTable(window: TimeWindow, emit: WindowEmit): void {
    const table = this.tables.get(window.end)!;
    for (const e of table.values()) {
      if (this.firedBefore(e.keyGroup, window.end)) continue;
      emit(e.key, e.acc, window);
    }
  }

  /** Merges, per key, the slices ending in (window.start, window.end]. */
  private fireSlices(window: TimeWindow, emit: WindowEmit): void {
    const fn = (this.fold as { fn: AggregateFunction<unknown, unknown, unknown> }).fn;
    const merge = fn.merge!;
    const merging = this.merging, keys = this.firing;
    const round = ++this.round;
    for (const end of this.tables.ends) {
      if (end > window.end) break;
      // Entries by value: the map's [key, value] pairs would be one array each.
      for (const e of this.tables.get(end)!.values()) {
        const sk = e.sk;
        let m = merging.get(sk);
        if (m === undefined) {
          merging.set(sk, m = { key: e.key, keyGroup: e.keyGroup, acc: undefined, round: 0 });
        }
        // Into a fresh accumulator: a slice's own serves later windows too.
        if (m.round !== round) {
          m.round = round;
          m.acc = merge(fn.createAccumulator(), e.acc);
          keys.push(m);
        } else m.acc = merge(m.acc, e.acc);
      }
    }
    for (const m of keys) {
      const acc = m.acc;
      m.acc = undefined; // the window function's now, not the table's
      if (this.firedBefore(m.keyGroup, window.end)) continue;
      emit(m.key, acc, window);
    }
    // Keys gone from the table leave with the next round that finds the map twice too big.
    if (merging.size > 2 * keys.length + 64) this.merging.clear();
    keys.length = 0;
  }

  private firedBefore(keyGroup: number, end: number): boolean {
    if (this.restoredFired.size === 0) return false;
    const fired = this.restoredFired.get(keyGroup);
    return fired !== undefined && end <= fired;
  }

  private forgetRestoredFired(): void {
    for (const [group, fired] of this.restoredFired) {
      if (fired <= this.firedUpTo) this.restoredFired.delete(group);
    }
  }

  /** The contents by key group, accumulators copied (they change after this returns). */
  snapshot(): SliceGroupSnapshot[] {
    const groups = new Map<number, unknown[]>();
    for (const end of this.tables.ends) {
      for (const e of this.tables.get(end)!.values()) {
        let entries = groups.get(e.keyGroup);
        if (entries === undefined) groups.set(e.keyGroup, entries = []);
        entries.push(end, e.key, snapshotAccumulator(e.acc));
      }
    }
    return [...groups].sort((a, b) => a[0] - b[0]).map(([keyGroup, entries]) => ({
      keyGroup,
      firedUpTo: this.firedUpTo,
      entries,
    }));
  }

  /** Loads key groups of snapshots (of any old subtasks) into an empty table. */
  restore(groups: readonly SliceGroupSnapshot[]): void {
    if (groups.length === 0) return;
    let firedUpTo = Infinity;
    for (const g of groups) firedUpTo = Math.min(firedUpTo, g.firedUpTo);
    this.firedUpTo = firedUpTo;
    for (const g of groups) {
      if (g.firedUpTo > firedUpTo) this.restoredFired.set(g.keyGroup, g.firedUpTo);
      const entries = g.entries;
      for (let i = 0; i < entries.length; i += 3) {
        const end = entries[i] as number, key = entries[i + 1], acc = entries[i + 2];
        const sk = stateKeyOf(key);
        this.tables.tableFor(end).set(sk, { key, sk, keyGroup: g.keyGroup, acc });
      }
    }
  }
}
