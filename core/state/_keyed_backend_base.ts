/**
 * Internal: what the heap and disk keyed backends share: the current key, state
 * registration, handles, the snapshot format and restore with rescaling. A
 * backend supplies the storage of key groups; a key group's data is a
 * {@link GroupState}, frozen once a snapshot captured it (copy-on-write: the
 * backend copies a frozen group before handing it to a handle again).
 * @module
 */

import { decode } from "cbor-x";
import { KeyedListState, KeyedMapState } from "./_collection_states.ts";
import { KeyedAggregatingState, KeyedReducingState, KeyedValueState } from "./_scalar_states.ts";
import { encodeGroupFresh } from "./snapshot_arena.ts";
import { type StateAccess, type StateTable, TtlPolicy } from "./_ttl.ts";
import { assignToKeyGroup, type KeyGroupRange } from "./key_groups.ts";
import { OPTIONS } from "../config/options.ts";
import {
  type KeyedStateBackend,
  type KeyedStateBackendOptions,
  type KeyedStateSnapshot,
  type KeyGroupSnapshot,
  type StateEntries,
  type StateKey,
  stateKeyOf,
  type StateKind,
  type StateMetaInfo,
} from "./keyed_state_backend.ts";
import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  StateTtlConfig,
  ValueState,
  ValueStateDescriptor,
} from "../api/state.ts";

/** The states of one key group: state name -> table. */
export class GroupState {
  /** Set when a snapshot holds this object: it must not change any more. */
  frozen = false;
  constructor(readonly tables: Map<string, StateTable> = new Map()) {}
}

/** A deep copy of a group (user values included, so the snapshot's copy stays intact). */
export function thawedCopy(group: GroupState): GroupState {
  return new GroupState(structuredClone(group.tables));
}

/** What a snapshot captured of one key group: the frozen group, or its spilled bytes. */
export type CapturedGroup =
  | { readonly keyGroup: number; readonly group: GroupState }
  | { readonly keyGroup: number; readonly decode: () => readonly StateEntries[] };

/**
 * Namespaces whose composite state keys are kept (the oldest is dropped
 * first): the windows a window operator has open at once, with room.
 */
const NAMESPACED_KEY_CACHE_NAMESPACES = 16;

/** Entries converted between one yield and the next while a snapshot is converted. */
const SNAPSHOT_YIELD_ENTRIES = 4096;

const macrotask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * The state key of `namespace` within key `k`: one string that cannot equal
 * a plain key's (a NUL separates them, and non-string keys are marked so that
 * 1 and "1" stay apart). It lives in the key's key group, so snapshots,
 * restores and rescaling treat it like the key itself.
 */
function namespacedStateKey(k: StateKey, namespace: string): string {
  return typeof k === "string" ? `${k}\u0000${namespace}` : `\u0001${String(k)}\u0000${namespace}`;
}

/**
 * The state keys of one namespace: that of the first key to use it, then a
 * map of the others'. A session window is mostly one key's, so its namespace
 * costs one small object, not a map; an aligned window's is every key's.
 */
class NamespaceKeys {
  others: Map<StateKey, string> | undefined;
  constructor(readonly key: StateKey, readonly stateKey: string) {}
}

/** The shared part of the keyed backends. */
export abstract class KeyedBackendBase implements KeyedStateBackend {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly clock: () => number;
  currentKey: unknown = undefined;
  currentKeyGroup = -1;
  protected currentStateKey: StateKey = undefined;
  /** The current key's own state key (no namespace), computed once per `setCurrentKey`. */
  private currentKeyState: StateKey = undefined;
  /** Namespaced state keys of the namespaces used last. */
  private readonly namespacedKeys = new Map<string, NamespaceKeys>();
  protected readonly meta = new Map<string, StateMetaInfo>();
  private readonly handles = new Map<string, unknown>();
  private readonly access: StateAccess;

  constructor(options: KeyedStateBackendOptions) {
    const maxParallelism = options.maxParallelism ?? OPTIONS.maxParallelism.default;
    const range = options.keyGroupRange ?? { start: 0, end: maxParallelism - 1 };
    if (range.start < 0 || range.end >= maxParallelism || range.start > range.end + 1) {
      throw new RangeError(
        `key group range ${range.start}..${range.end} does not fit maxParallelism ${maxParallelism}`,
      );
    }
    this.maxParallelism = maxParallelism;
    this.keyGroupRange = { start: range.start, end: range.end };
    this.clock = options.clock ?? Date.now;
    this.access = {
      stateKey: () => this.currentStateKey,
      clock: this.clock,
      readTable: (name) => this.liveGroup(this.keyGroupForAccess(), false)?.tables.get(name),
      writeTable: (name) => {
        const tables = this.liveGroup(this.keyGroupForAccess(), true)!.tables;
        let table = tables.get(name);
        if (table === undefined) tables.set(name, table = new Map());
        return table;
      },
      noteWrite: (item) => this.noteWrite(item),
    };
  }

  /** The group for a handle, never frozen; created only if `forWrite`. */
  protected abstract liveGroup(keyGroup: number, forWrite: boolean): GroupState | undefined;
  /** Freezes and returns every non-empty group of the range (synchronously). */
  protected abstract captureGroups(): CapturedGroup[];
  /** Stores a restored group. */
  protected abstract installGroup(keyGroup: number, group: GroupState): void;
  /** Whether any key group holds entries. */
  protected abstract hasEntries(): boolean;
  /** Visits every non-empty key group of the range: its live state, or its spilled CBOR bytes. */
  protected abstract forEachGroup(
    fn: (keyGroup: number, group: GroupState | Uint8Array) => void,
  ): void;
  abstract dispose(): void;
  /** Called after each write with the item written; a no-op unless the backend budgets memory. */
  protected noteWrite(_item: unknown): void {}

  private keyGroupForAccess(): number {
    if (this.currentKeyGroup < 0) {
      throw new Error("keyed state used without a current key; call setCurrentKey(key) first");
    }
    return this.currentKeyGroup;
  }

  setCurrentKey(key: unknown): void {
    const group = assignToKeyGroup(key, this.maxParallelism);
    if (group < this.keyGroupRange.start || group > this.keyGroupRange.end) {
      throw new RangeError(
        `key ${String(stateKeyOf(key))} is in key group ${group}, outside this backend's range ` +
          `${this.keyGroupRange.start}..${this.keyGroupRange.end}; was the record routed by key?`,
      );
    }
    this.currentKey = key;
    this.currentStateKey = this.currentKeyState = stateKeyOf(key);
    this.currentKeyGroup = group;
  }

  setCurrentNamespace(namespace: string | undefined): void {
    const k = this.currentKeyState;
    if (namespace === undefined) {
      this.currentStateKey = k;
      return;
    }
    // The same string object for the same key and namespace: a fresh composite string
    // would be flattened and hashed at every access (measured: a third of a window
    // operator's time with keys interleaved).
    const keys = this.namespacedKeys.get(namespace);
    if (keys === undefined) {
      if (this.namespacedKeys.size >= NAMESPACED_KEY_CACHE_NAMESPACES) {
        this.namespacedKeys.delete(this.namespacedKeys.keys().next().value!);
      }
      const key = namespacedStateKey(k, namespace);
      this.namespacedKeys.set(namespace, new NamespaceKeys(k, key));
      this.currentStateKey = key;
      return;
    }
    if (keys.key === k) {
      this.currentStateKey = keys.stateKey;
      return;
    }
    const others = keys.others ??= new Map();
    let key = others.get(k);
    if (key === undefined) others.set(k, key = namespacedStateKey(k, namespace));
    this.currentStateKey = key;
  }

  getState<T>(d: ValueStateDescriptor<T>): ValueState<T> {
    return this.handle(
      d.name,
      "value",
      d.ttl,
      (ttl) => new KeyedValueState(this.access, d.name, ttl, d.defaultValue),
    );
  }

  getListState<T>(d: ListStateDescriptor<T>): ListState<T> {
    return this.handle(
      d.name,
      "list",
      d.ttl,
      (ttl) => new KeyedListState(this.access, d.name, ttl),
    );
  }

  getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.handle(d.name, "map", d.ttl, (ttl) => new KeyedMapState(this.access, d.name, ttl));
  }

  getReducingState<T>(d: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.handle(
      d.name,
      "reducing",
      d.ttl,
      (ttl) => new KeyedReducingState(this.access, d.name, ttl, d.reduceFn),
    );
  }

  getAggregatingState<IN, ACC, OUT>(
    d: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT> {
    return this.handle(
      d.name,
      "aggregating",
      d.ttl,
      (ttl) => new KeyedAggregatingState(this.access, d.name, ttl, d.aggregateFunction),
    );
  }

  async snapshot(checkpointId: number): Promise<KeyedStateSnapshot> {
    const captured = this.captureGroups();
    const states = [...this.meta.values()];
    await macrotask();
    const keyGroups: KeyGroupSnapshot[] = [];
    let sinceYield = 0;
    for (const c of captured) {
      const entries = "group" in c ? this.toEntries(c.group) : c.decode();
      if (entries.length > 0) keyGroups.push({ keyGroup: c.keyGroup, states: entries });
      for (const s of entries) sinceYield += s.entries.length;
      if (sinceYield >= SNAPSHOT_YIELD_ENTRIES) {
        sinceYield = 0;
        await macrotask();
      }
    }
    const { maxParallelism, keyGroupRange } = this;
    return { checkpointId, maxParallelism, keyGroupRange: { ...keyGroupRange }, states, keyGroups };
  }

  snapshotEncoded(checkpointId: number, encode = encodeGroupFresh): KeyedStateSnapshot {
    const keyGroups: KeyGroupSnapshot[] = [];
    this.forEachGroup((keyGroup, group) => {
      const encoded = group instanceof Uint8Array ? group : encode(this.toEntries(group));
      keyGroups.push({ keyGroup, states: [], encoded });
    });
    const { maxParallelism, keyGroupRange } = this;
    const states = [...this.meta.values()];
    return { checkpointId, maxParallelism, keyGroupRange: { ...keyGroupRange }, states, keyGroups };
  }

  restore(snapshots: readonly KeyedStateSnapshot[]): void {
    if (this.hasEntries()) {
      throw new Error("restore: this backend already holds state; restore into a new backend");
    }
    for (const s of snapshots) {
      if (s.maxParallelism !== this.maxParallelism) {
        throw new Error(
          `restore: checkpoint ${s.checkpointId} has maxParallelism ${s.maxParallelism}, this ` +
            `backend ${this.maxParallelism}; maxParallelism cannot change across a restore`,
        );
      }
      for (const m of s.states) this.register(m.name, m.kind, m.ttl);
    }
    const seen = new Set<number>();
    const { start, end } = this.keyGroupRange;
    for (const s of snapshots) {
      for (const g of s.keyGroups) {
        if (g.keyGroup < start || g.keyGroup > end) continue;
        if (seen.has(g.keyGroup)) {
          throw new Error(`restore: key group ${g.keyGroup} is in two snapshots; ranges overlap`);
        }
        seen.add(g.keyGroup);
        const states = g.encoded !== undefined
          ? decode(g.encoded) as StateEntries[]
          : structuredClone(g.states);
        this.installGroup(g.keyGroup, this.fromEntries(states));
      }
    }
  }

  /** The snapshot form of a group's states (shares the group's frozen objects). */
  protected toEntries(group: GroupState): StateEntries[] {
    const out: StateEntries[] = [];
    for (const [name, table] of group.tables) {
      if (table.size === 0) continue;
      const isMap = this.meta.get(name)?.kind === "map";
      const entries = Array.from(
        table,
        ([k, v]) => [k, isMap ? [...(v as Map<StateKey, unknown>).values()] : v] as const,
      );
      out.push({ name, entries });
    }
    return out;
  }

  /** A live group from the snapshot form (takes ownership of `states`). */
  protected fromEntries(states: readonly StateEntries[]): GroupState {
    const group = new GroupState();
    for (const { name, entries } of states) {
      const isMap = this.meta.get(name)?.kind === "map";
      const table: StateTable = new Map();
      for (const [k, v] of entries) {
        const value = isMap
          ? new Map((v as [unknown, unknown][]).map((e) => [stateKeyOf(e[0]), e]))
          : v;
        table.set(k, value);
      }
      group.tables.set(name, table);
    }
    return group;
  }

  private handle<H>(
    name: string,
    kind: StateKind,
    ttlConfig: StateTtlConfig | undefined,
    create: (ttl: TtlPolicy | undefined) => H,
  ): H {
    const ttl = ttlConfig === undefined ? undefined : new TtlPolicy(ttlConfig, this.clock, name);
    this.register(name, kind, ttl !== undefined);
    let h = this.handles.get(name);
    if (h === undefined) this.handles.set(name, h = create(ttl));
    return h as H;
  }

  private register(name: string, kind: StateKind, ttl: boolean): void {
    const known = this.meta.get(name);
    if (known === undefined) this.meta.set(name, { name, kind, ttl });
    else if (known.kind !== kind || known.ttl !== ttl) {
      const show = (k: StateKind, t: boolean) => `${k} state ${t ? "with" : "without"} TTL`;
      throw new Error(
        `state "${name}" is registered as ${show(known.kind, known.ttl)} and requested as ` +
          `${show(kind, ttl)}; give the new state another name`,
      );
    }
  }
}
