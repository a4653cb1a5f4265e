/**
 * The window operator for aligned event-time windows (tumbling, and sliding
 * whose size is a multiple of the slide) with the default event-time
 * trigger, no evictor, no allowed lateness, and an incremental reduce or
 * aggregate, or the elements of `process` and `apply`: window contents live
 * in a {@linkcode SliceTable} rather than in per-key state with per-key
 * timers, so an element costs one map lookup and one `add`, and a watermark
 * fires every window it passes in one pass over the table (Flink SQL's
 * window slicing, brought to the DataStream API). Sliding windows keep each
 * element once, in its slice: a window's elements are its slices' lists,
 * joined in slice order (within a slice, in arrival order).
 *
 * Results, their order for in-order input, late-element handling and the
 * window function's context are those of the general {@linkcode WindowOperator}.
 * The table is checkpointed as raw keyed state, filed by key group, so it
 * rescales like keyed state. With the disk (spilling) state backend, or when
 * restored from a checkpoint of the general operator, this operator runs as
 * the general one.
 * @module
 */

import { HeapStateBackend } from "../state/heap_state_backend.ts";
import { EventTimeTrigger } from "../windows/event_time_trigger.ts";
import { SlidingEventTimeWindows } from "../windows/sliding_windows.ts";
import { requireTimestamp } from "../windows/_checks.ts";
import { TumblingEventTimeWindows } from "../windows/tumbling_windows.ts";
import type { RawKeyGroup } from "./stream_operator.ts";
import { WindowOperator, type WindowOperatorSpec } from "./window_operator.ts";
import type { WindowFold } from "./window_contents.ts";
import {
  type SliceFold,
  type SliceGroupSnapshot,
  type SliceShape,
  SliceTable,
  type WindowEmit,
} from "./window_slices.ts";

/** The slice geometry of `spec` when the aligned operator can run it, else undefined. */
export function sliceShapeOf(spec: WindowOperatorSpec): SliceShape | undefined {
  if (spec.evictor !== undefined || spec.allowedLatenessMs !== 0) return undefined;
  if (!(spec.trigger instanceof EventTimeTrigger)) return undefined;
  const a = spec.assigner;
  if (a instanceof TumblingEventTimeWindows) {
    return { sizeMs: a.sizeMs, slideMs: a.sizeMs, offsetMs: a.offsetMs };
  }
  if (a instanceof SlidingEventTimeWindows && a.sizeMs % a.slideMs === 0) {
    return { sizeMs: a.sizeMs, slideMs: a.slideMs, offsetMs: a.offsetMs };
  }
  return undefined;
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

/** How the slice table folds `fold`'s contents. */
export function sliceFoldOf(fold: WindowFold): SliceFold {
  return fold.kind === "list" ? ELEMENTS : fold;
}

export class AlignedWindowOperator extends WindowOperator {
  /** Undefined while running as the general operator. */
  private table: SliceTable | undefined;
  private restored: SliceGroupSnapshot[] = [];
  private readonly emitResult: WindowEmit;

  constructor(spec: WindowOperatorSpec, private readonly shape: SliceShape) {
    super(spec);
    this.emitResult = (key, acc, window) => this.emitWindow(key, acc, window);
  }

  restoreRawKeyed(groups: readonly RawKeyGroup[]): void {
    if (!(this.ctx.keyedBackend instanceof HeapStateBackend)) {
      throw new Error(
        `operator '${this.ctx.operatorName}': its window contents were checkpointed in memory ` +
          `(aligned windows on the heap state backend); restore it with the heap state backend`,
      );
    }
    this.restored.push(...groups.map((g) => g.data as SliceGroupSnapshot));
  }

  override async open(): Promise<void> {
    await super.open();
    // State of the general operator restored (its timers) keeps this run general.
    const general = !(this.backend instanceof HeapStateBackend) || this.timers.size > 0;
    if (general && this.restored.length === 0) return;
    const fold = sliceFoldOf(this.spec.fold);
    const backend = this.backend;
    this.table = new SliceTable(this.shape, fold, (key) => {
      backend.setCurrentKey(key);
      return backend.currentKeyGroup;
    });
    this.table.restore(this.restored);
    this.restored = [];
  }

  /** Whether the window contents are in the slice table (false: running as the general operator). */
  get sliced(): boolean {
    return this.table !== undefined;
  }

  override processElement(record: unknown): void {
    const table = this.table;
    if (table === undefined) return super.processElement(record);
    const spec = this.spec;
    const timestamp = this.ctx.timestamp.value;
    if (!Number.isFinite(timestamp)) requireTimestamp(timestamp, spec.assigner);
    if (!table.add(spec.keySelector(record), record, timestamp)) this.sideOutputLate(record);
  }

  override processWatermark(watermark: number): void {
    this.table?.advance(watermark, this.emitResult);
    super.processWatermark(watermark);
  }

  snapshotRawKeyed(): RawKeyGroup[] {
    const table = this.table;
    if (table === undefined) return [];
    return table.snapshot().map((data) => ({ keyGroup: data.keyGroup, data }));
  }
}
