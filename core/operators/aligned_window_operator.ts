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

import { EventTimeTrigger } from "../windows/event_time_trigger.ts";
import { SlidingEventTimeWindows } from "../windows/sliding_windows.ts";
import { requireTimestamp } from "../windows/_checks.ts";
import { TumblingEventTimeWindows } from "../windows/tumbling_windows.ts";
import { TabledWindowOperator } from "./tabled_window_operator.ts";
import type { WindowOperatorSpec } from "./window_operator.ts";
import {
  sliceFoldOf,
  type SliceGroupSnapshot,
  type SliceShape,
  SliceTable,
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

export class AlignedWindowOperator extends TabledWindowOperator<SliceGroupSnapshot, SliceTable> {
  constructor(spec: WindowOperatorSpec, private readonly shape: SliceShape) {
    super(spec, "window contents (aligned windows)");
  }

  protected makeTable(keyGroupOf: (key: unknown) => number): SliceTable {
    return new SliceTable(this.shape, sliceFoldOf(this.spec.fold), keyGroupOf);
  }

  override processElement(record: unknown): void {
    const table = this.table;
    if (table === undefined) return super.processElement(record);
    const spec = this.spec;
    const timestamp = this.ctx.timestamp.value;
    if (!Number.isFinite(timestamp)) requireTimestamp(timestamp, spec.assigner);
    if (!table.add(spec.keySelector(record), record, timestamp)) this.sideOutputLate(record);
  }
}
