/**
 * The window operator for event-time session windows (static or dynamic
 * gaps) with the default event-time trigger, no evictor and no allowed
 * lateness: sessions live in a {@linkcode SessionTable} rather than in
 * per-key state namespaced by window with a merging window set and a timer
 * per session, so an element costs a map lookup and a bisection, and a
 * watermark fires every session it passed in one pass.
 *
 * Results, their order, late-element handling and the window function's
 * context are those of the general {@linkcode WindowOperator}. The table is
 * checkpointed as raw keyed state, filed by key group, so it rescales like
 * keyed state. With the disk (spilling) state backend, or when restored
 * from a checkpoint of the general operator, this operator runs as the
 * general one.
 * @module
 */

import { HeapStateBackend } from "../state/heap_state_backend.ts";
import { EventTimeTrigger } from "../windows/event_time_trigger.ts";
import { EventTimeSessionWindows } from "../windows/session_windows.ts";
import { type SessionGroupSnapshot, SessionTable } from "./session_table.ts";
import type { RawKeyGroup } from "./stream_operator.ts";
import { WindowOperator, type WindowOperatorSpec } from "./window_operator.ts";
import type { WindowEmit } from "./window_slices.ts";

/** Whether the session operator can run `spec` (else the general one does). */
export function isSessionTableSpec(spec: WindowOperatorSpec): boolean {
  return spec.evictor === undefined && spec.allowedLatenessMs === 0 &&
    spec.trigger instanceof EventTimeTrigger && spec.assigner instanceof EventTimeSessionWindows;
}

export class SessionWindowOperator extends WindowOperator {
  /** Undefined while running as the general operator. */
  private table: SessionTable | undefined;
  private restored: SessionGroupSnapshot[] = [];
  private readonly emitResult: WindowEmit;

  constructor(spec: WindowOperatorSpec) {
    super(spec);
    this.emitResult = (key, acc, window) => this.emitWindow(key, acc, window);
  }

  restoreRawKeyed(groups: readonly RawKeyGroup[]): void {
    if (!(this.ctx.keyedBackend instanceof HeapStateBackend)) {
      throw new Error(
        `operator '${this.ctx.operatorName}': its sessions were checkpointed in memory ` +
          `(session windows on the heap state backend); restore it with the heap state backend`,
      );
    }
    this.restored.push(...groups.map((g) => g.data as SessionGroupSnapshot));
  }

  override async open(): Promise<void> {
    await super.open();
    // State of the general operator restored (its timers) keeps this run general.
    const general = !(this.backend instanceof HeapStateBackend) || this.timers.size > 0;
    if (general && this.restored.length === 0) return;
    const backend = this.backend;
    this.table = new SessionTable(this.spec.fold, (key) => {
      backend.setCurrentKey(key);
      return backend.currentKeyGroup;
    });
    this.table.restore(this.restored);
    this.restored = [];
  }

  /** Whether the sessions are in the session table (false: running as the general operator). */
  get tabled(): boolean {
    return this.table !== undefined;
  }

  override processElement(record: unknown): void {
    const table = this.table;
    if (table === undefined) return super.processElement(record);
    const spec = this.spec;
    const timestamp = this.ctx.timestamp.value;
    const end = (spec.assigner as EventTimeSessionWindows<unknown>).sessionEnd(record, timestamp);
    if (!table.add(spec.keySelector(record), record, timestamp, end)) {
      // Its own session is late and it joined none: with no allowed lateness, it is late.
      this.ctx.timestamp.value = timestamp;
      this.sideOutputLate(record);
    }
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
