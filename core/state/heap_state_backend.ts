/**
 * Heap keyed state backend: state lives in JS maps, one set per key group, so
 * snapshots and rescaling work per key group (after Flink's HeapKeyedStateBackend).
 * Snapshots are asynchronous: `snapshot()` freezes the current key groups and
 * returns at once; the first access to a frozen group copies it (after Flink's
 * CopyOnWriteStateMap, per key group), and the frozen groups are converted to
 * the snapshot form between record batches.
 *
 * Values handed to or read from state belong to the backend: mutate them only
 * to write them back with `update`/`put`/`add` (a snapshot never sees such
 * changes made after it was taken).
 * @module
 */

import {
  type CapturedGroup,
  GroupState,
  KeyedBackendBase,
  thawedCopy,
} from "./_keyed_backend_base.ts";
import type { KeyedStateBackendOptions } from "./keyed_state_backend.ts";

/**
 * Keyed state held on the heap, partitioned into key groups.
 *
 * @example
 * ```ts
 * import { HeapStateBackend } from "./heap_state_backend.ts";
 * import { ValueStateDescriptor } from "../api/state.ts";
 * const backend = new HeapStateBackend({ maxParallelism: 128 });
 * const count = backend.getState(new ValueStateDescriptor("count", 0));
 * backend.setCurrentKey("a");
 * count.update(count.value()! + 1);
 * const snapshot = await backend.snapshot(1); // plain data, ready for cbor-x
 * ```
 */
export class HeapStateBackend extends KeyedBackendBase {
  private readonly groups: (GroupState | undefined)[];

  constructor(options: KeyedStateBackendOptions = {}) {
    super(options);
    this.groups = new Array(this.maxParallelism);
  }

  protected liveGroup(keyGroup: number, forWrite: boolean): GroupState | undefined {
    let group = this.groups[keyGroup];
    if (group === undefined) {
      if (!forWrite) return undefined;
      this.groups[keyGroup] = group = new GroupState();
    } else if (group.frozen) {
      this.groups[keyGroup] = group = thawedCopy(group);
    }
    return group;
  }

  protected captureGroups(): CapturedGroup[] {
    const captured: CapturedGroup[] = [];
    for (let g = this.keyGroupRange.start; g <= this.keyGroupRange.end; g++) {
      const group = this.groups[g];
      if (group === undefined || group.tables.size === 0) continue;
      group.frozen = true;
      captured.push({ keyGroup: g, group });
    }
    return captured;
  }

  protected installGroup(keyGroup: number, group: GroupState): void {
    this.groups[keyGroup] = group;
  }

  protected forEachGroup(fn: (keyGroup: number, group: GroupState) => void): void {
    for (let g = this.keyGroupRange.start; g <= this.keyGroupRange.end; g++) {
      const group = this.groups[g];
      if (group !== undefined && [...group.tables.values()].some((t) => t.size > 0)) fn(g, group);
    }
  }

  protected hasEntries(): boolean {
    return this.groups.some((g) => g !== undefined && [...g.tables.values()].some((t) => t.size));
  }

  /** Drops all state. */
  dispose(): void {
    this.groups.fill(undefined);
  }
}
