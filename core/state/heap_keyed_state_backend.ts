/**
 * Heap keyed state backend: state lives in JS maps, partitioned by key group so
 * a snapshot or a rescale can take whole key groups (after Flink's
 * HeapKeyedStateBackend).
 * @module
 */

import { assignToKeyGroup } from "./key_groups.ts";
import type { ValueState, ValueStateDescriptor } from "./value_state.ts";

/** Map key of a user key: primitives as they are, structured keys by their JSON. */
function mapKey(key: unknown): unknown {
  return key !== null && typeof key === "object" ? JSON.stringify(key) : key;
}

/** One named state: for each key group, a map from key to value. */
class StateTable<T> {
  readonly groups: (Map<unknown, T> | undefined)[];
  constructor(maxParallelism: number) {
    this.groups = new Array(maxParallelism);
  }
  get(group: number, key: unknown): T | undefined {
    return this.groups[group]?.get(key);
  }
  put(group: number, key: unknown, value: T): void {
    let map = this.groups[group];
    if (map === undefined) this.groups[group] = map = new Map();
    map.set(key, value);
  }
  remove(group: number, key: unknown): void {
    this.groups[group]?.delete(key);
  }
}

class HeapValueState<T> implements ValueState<T> {
  constructor(
    private readonly backend: HeapKeyedStateBackend,
    private readonly table: StateTable<T>,
    private readonly defaultValue: T | undefined,
  ) {}
  value(): T | undefined {
    const b = this.backend;
    const v = this.table.get(b.currentKeyGroup, b.currentMapKey);
    return v === undefined ? this.defaultValue : v;
  }
  update(value: T): void {
    const b = this.backend;
    this.table.put(b.currentKeyGroup, b.currentMapKey, value);
  }
  clear(): void {
    const b = this.backend;
    this.table.remove(b.currentKeyGroup, b.currentMapKey);
  }
}

/**
 * Keyed state of one operator subtask. The operator sets the current key before
 * each record; state handles then read and write that key's entry.
 *
 * @example
 * ```ts
 * import { HeapKeyedStateBackend } from "./heap_keyed_state_backend.ts";
 * import { ValueStateDescriptor } from "./value_state.ts";
 * const backend = new HeapKeyedStateBackend(128);
 * const count = backend.getState(new ValueStateDescriptor("count", 0));
 * backend.setCurrentKey("a");
 * count.update(count.value()! + 1);
 * ```
 */
export class HeapKeyedStateBackend {
  currentKey: unknown = undefined;
  currentMapKey: unknown = undefined;
  currentKeyGroup = 0;
  private readonly tables = new Map<string, StateTable<unknown>>();
  private readonly handles = new Map<string, ValueState<unknown>>();

  constructor(readonly maxParallelism: number) {}

  /** Scopes every state handle to `key` until the next call. */
  setCurrentKey(key: unknown): void {
    this.currentKey = key;
    this.currentMapKey = mapKey(key);
    this.currentKeyGroup = assignToKeyGroup(key, this.maxParallelism);
  }

  /** The value state named by `descriptor` (created on first use). */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    let handle = this.handles.get(descriptor.name);
    if (handle === undefined) {
      const table = new StateTable<unknown>(this.maxParallelism);
      this.tables.set(descriptor.name, table);
      handle = new HeapValueState(this, table, descriptor.defaultValue);
      this.handles.set(descriptor.name, handle);
    }
    return handle as ValueState<T>;
  }

  /**
   * Visits every (key, value) of a state, key group by key group. The key is
   * the map key: structured keys appear as their JSON text.
   */
  forEach<T>(name: string, fn: (key: unknown, value: T, keyGroup: number) => void): void {
    const table = this.tables.get(name);
    if (table === undefined) return;
    table.groups.forEach((map, group) => map?.forEach((v, k) => fn(k, v as T, group)));
  }
}
