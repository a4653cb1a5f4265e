/**
 * Two-phase window aggregation (Flink SQL's local-global aggregation, for
 * aligned windows): before the keyBy, each upstream subtask folds its own
 * elements per key and slice, and emits one partial per key and slice once
 * its watermark passes the slice's end; the keyed window operator after the
 * keyBy merges partials instead of elements. The exchange carries a partial
 * per key and slice rather than every element, and a hot key costs the
 * keyed subtask that owns it one merge per upstream subtask and slice.
 *
 * Results equal the one-phase operator's, late elements included: an element
 * too late for this subtask's own watermark goes on at once, alone in its
 * partial and carried along (the keyed operator decides lateness and routes
 * the element to the late side output, as it would the element itself);
 * every other partial reaches the keyed operator before this subtask's
 * watermark that passed its slice, so it is never late there.
 *
 * Pending partials are operator state: on rescaling they may go to any
 * subtask, since the keyed operator merges partials from anywhere.
 * @module
 */

import { type ListState, ListStateDescriptor } from "../api/state.ts";
import { stateKeyOf } from "../state/keyed_state_backend.ts";
import type { AggregateFunction } from "../api/state.ts";
import { getWindowStartWithOffset } from "../windows/time_window.ts";
import { requireTimestamp } from "../windows/_checks.ts";
import {
  EMPTY,
  emptyAccumulator,
  EndTables,
  foldIn,
  type SliceFold,
  type SliceShape,
  snapshotAccumulator,
} from "./window_slices.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

/**
 * What the local operator emits: a key's accumulator of one slice (the
 * reduced value for reduce), and the element itself when it is a late
 * element passed on alone.
 */
export type Partial = [key: unknown, sliceEnd: number, acc: unknown, late?: unknown];

/** How a local pre-aggregation behaves (`env.setWindowPreAggregation`). */
export interface PreAggregation {
  /** Entries held before they are all sent early (bounds memory); 0 turns two phases off. */
  readonly maxEntries: number;
  /**
   * Elements sampled at the start to judge whether folding pays: when more
   * than `maxDistinctRatio` of them start an entry of their own (most keys
   * are distinct per slice), later elements go on alone, unfolded, as Flink's
   * adaptive local aggregation does.
   */
  readonly sampleElements: number;
  readonly maxDistinctRatio: number;
}

export const DEFAULT_PRE_AGGREGATION: PreAggregation = {
  maxEntries: 65_536,
  sampleElements: 100_000,
  maxDistinctRatio: 0.5,
};

const PENDING = new ListStateDescriptor<Partial>("local-window-partials");

interface Entry {
  readonly key: unknown;
  acc: unknown;
}

export class LocalWindowAggregateOperator extends AbstractStreamOperator<unknown, Partial> {
  private readonly slices = new EndTables<Entry>();
  /** Entries over all slices (bounded by `maxEntries`). */
  private entries = 0;
  private watermark = -Infinity;
  private pending!: ListState<Partial>;
  /** Elements seen and entries started while sampling; -1 once judged. */
  private sampled = 0;
  private started = 0;
  /** Folding did not pay: every element goes on alone. */
  passThrough = false;

  constructor(
    private readonly shape: SliceShape,
    private readonly fold: SliceFold,
    private readonly keySelector: (record: unknown) => unknown,
    private readonly settings: PreAggregation = DEFAULT_PRE_AGGREGATION,
  ) {
    super();
  }

  override open(): void {
    this.pending = this.ctx.operatorState.getListState(PENDING);
    for (const [key, end, acc] of this.pending.get()) this.entryFor(end, key).acc = acc;
    this.pending.clear();
    this.started = 0; // restored entries are not part of the sample
  }

  processElement(record: unknown): void {
    const ts = this.ctx.timestamp.value;
    if (!Number.isFinite(ts)) requireTimestamp(ts, this.ctx.operatorName);
    const { slideMs, offsetMs } = this.shape;
    const end = getWindowStartWithOffset(ts, offsetMs, slideMs) + slideMs;
    const key = this.keySelector(record);
    const fold = this.fold;
    const late = end - 1 <= this.watermark;
    if (late || this.passThrough) {
      // On at once, alone (the timestamp stays the element's); a late one carries itself.
      const acc = foldIn(fold, emptyAccumulator(fold), record);
      this.output.collect(late ? [key, end, acc, record] : [key, end, acc]);
      return;
    }
    const e = this.entryFor(end, key);
    e.acc = foldIn(fold, e.acc, record);
    if (this.entries >= this.settings.maxEntries) this.emitUpTo(Infinity);
    if (this.sampled >= 0 && ++this.sampled >= this.settings.sampleElements) this.judge();
  }

  /** After the sample: folding goes on only if elements shared entries enough. */
  private judge(): void {
    this.passThrough = this.started / this.sampled > this.settings.maxDistinctRatio;
    this.sampled = -1;
    if (this.passThrough) this.emitUpTo(Infinity);
  }

  private entryFor(end: number, key: unknown): Entry {
    const slice = this.slices.tableFor(end);
    const sk = stateKeyOf(key);
    let e = slice.get(sk);
    if (e === undefined) {
      slice.set(sk, e = { key, acc: emptyAccumulator(this.fold) });
      this.entries++;
      this.started++;
    }
    return e;
  }

  /** Emits the partials of every slice ending at or before `time` + 1, oldest slice first. */
  private emitUpTo(time: number): void {
    const ends = this.slices.ends;
    const timestamp = this.ctx.timestamp;
    while (ends.length > 0 && ends[0] - 1 <= time) {
      const end = ends[0];
      const slice = this.slices.shift();
      this.entries -= slice.size;
      timestamp.value = end - 1;
      for (const e of slice.values()) this.output.collect([e.key, end, e.acc]);
    }
  }

  override processWatermark(watermark: number): void {
    this.watermark = watermark;
    this.emitUpTo(watermark);
    this.output.emitWatermark(watermark);
  }

  override snapshotState(checkpointId: number): void | Promise<void> {
    const partials: Partial[] = [];
    for (const end of this.slices.ends) {
      for (const e of this.slices.get(end)!.values()) {
        partials.push([e.key, end, snapshotAccumulator(e.acc)]);
      }
    }
    this.pending.update(partials);
    return super.snapshotState(checkpointId);
  }
}

/**
 * The keyed operator's fold over partials, from the user's: it merges a
 * partial's accumulator where the one-phase fold adds an element, so the
 * window function gets the same accumulator (or reduced value).
 */
export function partialFold(fold: SliceFold): AggregateFunction<Partial, unknown, unknown> {
  if (fold.kind === "reduce") {
    const reduce = fold.fn;
    return {
      createAccumulator: () => EMPTY,
      add: (p, acc) => acc === EMPTY ? p[2] : reduce(acc, p[2]),
      getResult: (acc) => acc,
      merge: (a, b) => a === EMPTY ? b : b === EMPTY ? a : reduce(a, b),
    };
  }
  const fn = fold.fn, merge = fn.merge!;
  return {
    createAccumulator: () => fn.createAccumulator(),
    add: (p, acc) => merge(acc, p[2]),
    getResult: (acc) => fn.getResult(acc),
    merge,
  };
}
