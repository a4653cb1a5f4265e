/**
 * Operator (non-keyed) state of one subtask, after Flink's OperatorStateStore:
 * list state (split evenly across subtasks on rescale), union list state (every
 * subtask gets all elements) and broadcast state (the same map everywhere).
 * @module
 */

import type {
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  StateTtlConfig,
} from "../api/state.ts";
import { type StateKey, stateKeyOf } from "./keyed_state_backend.ts";

/** How a state is redistributed on restore. */
export type OperatorStateMode = "split" | "union" | "broadcast";

/** One operator state in a snapshot: list elements, or broadcast `[key, value]` entries. */
export type OperatorStateEntry =
  | { readonly name: string; readonly mode: "split" | "union"; readonly elements: unknown[] }
  | { readonly name: string; readonly mode: "broadcast"; readonly entries: [unknown, unknown][] };

/** The operator state of one subtask: plain data, ready for cbor-x. */
export interface OperatorStateSnapshot {
  readonly checkpointId: number;
  readonly states: readonly OperatorStateEntry[];
}

type Stored =
  | { mode: "split" | "union"; elements: unknown[] }
  | { mode: "broadcast"; map: Map<StateKey, [unknown, unknown]> };

/**
 * The operator state of one subtask.
 *
 * @example
 * ```ts
 * import { OperatorStateStore } from "./operator_state.ts";
 * import { ListStateDescriptor } from "../api/state.ts";
 * const store = new OperatorStateStore();
 * const offsets = store.getListState(new ListStateDescriptor<number>("offsets"));
 * offsets.update([42]);
 * const snapshot = store.snapshot(1);
 * ```
 */
export class OperatorStateStore {
  private readonly states = new Map<string, Stored>();

  /** List state; on rescale the elements of all old subtasks are split evenly. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    this.list(descriptor.name, "split", descriptor.ttl);
    return new OperatorListState<T>(() => this.list(descriptor.name, "split", descriptor.ttl));
  }

  /** List state; on restore every subtask gets the elements of all old subtasks. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    this.list(descriptor.name, "union", descriptor.ttl);
    return new OperatorListState<T>(() => this.list(descriptor.name, "union", descriptor.ttl));
  }

  /** A map every subtask holds the same copy of (keep it so: update it from broadcast input). */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    this.stored(descriptor.name, "broadcast", descriptor.ttl);
    return new BroadcastState<K, V>(() => {
      const s = this.stored(descriptor.name, "broadcast", descriptor.ttl);
      return (s as { map: Map<StateKey, [K, V]> }).map;
    });
  }

  /** A copy of every state (operator state is small, so the copy is synchronous). */
  snapshot(checkpointId: number): OperatorStateSnapshot {
    const states: OperatorStateEntry[] = [];
    for (const [name, s] of this.states) {
      if (s.mode === "broadcast") {
        states.push({ name, mode: s.mode, entries: structuredClone([...s.map.values()]) });
      } else states.push({ name, mode: s.mode, elements: structuredClone(s.elements) });
    }
    return { checkpointId, states };
  }

  /** Replaces all state with `snapshot` (already redistributed for this subtask). */
  restore(snapshot: OperatorStateSnapshot): void {
    this.states.clear();
    for (const s of structuredClone(snapshot.states)) {
      if (s.mode === "broadcast") {
        const map = new Map(s.entries.map((e) => [stateKeyOf(e[0]), e]));
        this.states.set(s.name, { mode: "broadcast", map });
      } else this.states.set(s.name, { mode: s.mode, elements: s.elements });
    }
  }

  private list(name: string, mode: "split" | "union", ttl: StateTtlConfig | undefined): unknown[] {
    return (this.stored(name, mode, ttl) as { elements: unknown[] }).elements;
  }

  private stored(name: string, mode: OperatorStateMode, ttl: StateTtlConfig | undefined): Stored {
    if (ttl !== undefined) {
      throw new Error(`operator state "${name}": TTL applies only to keyed state; remove it`);
    }
    let s = this.states.get(name);
    if (s === undefined) {
      s = mode === "broadcast" ? { mode, map: new Map() } : { mode, elements: [] };
      this.states.set(name, s);
    } else if (s.mode !== mode) {
      throw new Error(
        `operator state "${name}" is ${s.mode} state, requested as ${mode}; use another name`,
      );
    }
    return s;
  }
}

/**
 * The snapshot that subtask `subtaskIndex` of `newParallelism` restores from
 * the snapshots of all old subtasks (`snapshots[i]` is old subtask i's): split
 * lists are concatenated in old-subtask order and cut into contiguous, even
 * parts (the first `n % p` subtasks get one more); union lists are
 * concatenated whole; broadcast state is old subtask 0's copy.
 *
 * @example
 * ```ts
 * import { redistributeOperatorState } from "./operator_state.ts";
 * const old = [
 *   { checkpointId: 7, states: [{ name: "o", mode: "split" as const, elements: [1, 2] }] },
 *   { checkpointId: 7, states: [{ name: "o", mode: "split" as const, elements: [3] }] },
 * ];
 * redistributeOperatorState(old, 3, 0).states; // [{ name: "o", mode: "split", elements: [1] }]
 * ```
 */
export function redistributeOperatorState(
  snapshots: readonly OperatorStateSnapshot[],
  newParallelism: number,
  subtaskIndex: number,
): OperatorStateSnapshot {
  if (!(newParallelism >= 1) || !(subtaskIndex >= 0 && subtaskIndex < newParallelism)) {
    throw new RangeError(`subtask ${subtaskIndex} of parallelism ${newParallelism} does not exist`);
  }
  const merged = new Map<string, OperatorStateEntry>();
  for (const snapshot of snapshots) {
    for (const s of snapshot.states) {
      const seen = merged.get(s.name);
      if (seen === undefined) {
        merged.set(s.name, s.mode === "broadcast" ? s : { ...s, elements: [...s.elements] });
      } else if (seen.mode !== s.mode) {
        throw new Error(
          `operator state "${s.name}" is ${seen.mode} in one snapshot, ${s.mode} in another`,
        );
      } else if (seen.mode !== "broadcast" && s.mode !== "broadcast") {
        for (const e of s.elements) seen.elements.push(e);
      }
    }
  }
  const states = [...merged.values()].map((s): OperatorStateEntry => {
    if (s.mode !== "split") return s;
    const n = s.elements.length;
    const base = Math.floor(n / newParallelism);
    const extra = n % newParallelism;
    const start = subtaskIndex * base + Math.min(subtaskIndex, extra);
    const count = base + (subtaskIndex < extra ? 1 : 0);
    return { name: s.name, mode: "split", elements: s.elements.slice(start, start + count) };
  });
  return { checkpointId: snapshots[0]?.checkpointId ?? 0, states };
}

class OperatorListState<T> implements ListState<T> {
  constructor(private readonly elements: () => unknown[]) {}
  get(): T[] {
    return this.elements().slice() as T[];
  }
  add(value: T): void {
    this.elements().push(value);
  }
  addAll(values: Iterable<T>): void {
    const list = this.elements();
    for (const v of values) list.push(v);
  }
  update(values: Iterable<T>): void {
    const items = [...values];
    const list = this.elements();
    list.length = 0;
    for (const v of items) list.push(v);
  }
  clear(): void {
    this.elements().length = 0;
  }
}

class BroadcastState<K, V> implements MapState<K, V> {
  constructor(private readonly map: () => Map<StateKey, [K, V]>) {}
  get(key: K): V | undefined {
    return this.map().get(stateKeyOf(key))?.[1];
  }
  put(key: K, value: V): void {
    this.map().set(stateKeyOf(key), [key, value]);
  }
  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }
  remove(key: K): void {
    this.map().delete(stateKeyOf(key));
  }
  contains(key: K): boolean {
    return this.map().has(stateKeyOf(key));
  }
  entries(): [K, V][] {
    return Array.from(this.map().values(), ([k, v]) => [k, v]);
  }
  keys(): K[] {
    return Array.from(this.map().values(), ([k]) => k);
  }
  values(): V[] {
    return Array.from(this.map().values(), ([, v]) => v);
  }
  isEmpty(): boolean {
    return this.map().size === 0;
  }
  clear(): void {
    this.map().clear();
  }
}
