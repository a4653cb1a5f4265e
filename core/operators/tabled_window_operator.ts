/**
 * What the window operators that keep their contents in their own tables
 * (aligned windows in slice tables, sessions in a session table) share: the
 * table is made at `open` on the heap state backend, unless the general
 * operator's state was restored (its timers: the run stays general); a
 * watermark advances the table before it goes on; and the table is
 * checkpointed as raw keyed state, filed by key group.
 * @module
 */

import { HeapStateBackend } from "../state/heap_state_backend.ts";
import type { RawKeyGroup } from "./stream_operator.ts";
import { WindowOperator, type WindowOperatorSpec } from "./window_operator.ts";
import type { WindowEmit } from "./window_slices.ts";

/** A table's part of a snapshot: one key group's plain data. */
export interface TableGroupSnapshot {
  readonly keyGroup: number;
}

/** Window contents an operator keeps in memory instead of keyed state and timers. */
export interface WindowTable<S extends TableGroupSnapshot> {
  /** The watermark reached `watermark`: emits every window it passed. */
  advance(watermark: number, emit: WindowEmit): void;
  /** The contents by key group, copied. */
  snapshot(): S[];
  /** Loads key groups of snapshots (of any old subtasks) into an empty table. */
  restore(groups: readonly S[]): void;
}

export abstract class TabledWindowOperator<S extends TableGroupSnapshot, T extends WindowTable<S>>
  extends WindowOperator {
  /** Undefined while running as the general operator. */
  protected table: T | undefined;
  private restored: S[] = [];
  private readonly emitResult: WindowEmit;

  constructor(
    spec: WindowOperatorSpec,
    /** What the table holds, for the error of a restore on another backend. */
    private readonly holds: string,
  ) {
    super(spec);
    this.emitResult = (key, acc, window) => this.emitWindow(key, acc, window);
  }

  /** The table, for keys validated and mapped to key groups by `keyGroupOf`. */
  protected abstract makeTable(keyGroupOf: (key: unknown) => number): T;

  restoreRawKeyed(groups: readonly RawKeyGroup[]): void {
    if (!(this.ctx.keyedBackend instanceof HeapStateBackend)) {
      throw new Error(
        `operator '${this.ctx.operatorName}': its ${this.holds} were checkpointed in memory ` +
          `(on the heap state backend); restore it with the heap state backend`,
      );
    }
    this.restored.push(...groups.map((g) => g.data as S));
  }

  override async open(): Promise<void> {
    await super.open();
    // State of the general operator restored (its timers) keeps this run general.
    const general = !(this.backend instanceof HeapStateBackend) || this.timers.size > 0;
    if (general && this.restored.length === 0) return;
    const backend = this.backend;
    this.table = this.makeTable((key) => {
      backend.setCurrentKey(key);
      return backend.currentKeyGroup;
    });
    this.table.restore(this.restored);
    this.restored = [];
  }

  /** Whether the contents are in the table (false: running as the general operator). */
  get tabled(): boolean {
    return this.table !== undefined;
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
