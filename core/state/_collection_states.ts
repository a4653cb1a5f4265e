/**
 * Internal: keyed list and map state handles. A list is stored as an array
 * (elements `[value, ts]` with TTL), appended in place; a map as a Map from the
 * user key's state key to `[userKey, value]` (`[userKey, value, ts]` with TTL).
 * Elements and entries expire one by one, as in Flink's TtlListState/TtlMapState.
 * @module
 */

import type { ListState, MapState } from "../api/state.ts";
import type { StateAccess, TtlPolicy } from "./_ttl.ts";
import { type StateKey, stateKeyOf } from "./keyed_state_backend.ts";

type Stamped<T> = [value: T, ts: number];
type MapEntry<K, V> = [key: K, value: V, ts?: number];

/** Keyed ListState. */
export class KeyedListState<T> implements ListState<T> {
  constructor(
    private readonly access: StateAccess,
    private readonly name: string,
    private readonly ttl: TtlPolicy | undefined,
  ) {}

  get(): T[] {
    const a = this.access;
    const stored = a.readTable(this.name)?.get(a.stateKey()) as unknown[] | undefined;
    if (stored === undefined) return [];
    const ttl = this.ttl;
    if (ttl === undefined) return (stored as T[]).slice();
    const now = ttl.clock();
    const all = stored as Stamped<T>[];
    let live = all.filter(([, ts]) => !ttl.expired(ts, now));
    const result = (ttl.returnExpired ? all : live).map(([v]) => v);
    if (ttl.updateOnRead) live = live.map(([v]) => [v, now]);
    if (live.length !== all.length || ttl.updateOnRead) this.store(live);
    return result;
  }

  add(value: T): void {
    const a = this.access;
    const table = a.writeTable(this.name);
    const item = this.ttl === undefined ? value : [value, this.ttl.clock()];
    const stored = table.get(a.stateKey()) as unknown[] | undefined;
    if (stored === undefined) table.set(a.stateKey(), [item]);
    else stored.push(item);
    a.noteWrite(value);
  }

  addAll(values: Iterable<T>): void {
    for (const v of values) this.add(v);
  }

  update(values: Iterable<T>): void {
    const items: unknown[] = [];
    const ts = this.ttl?.clock();
    for (const v of values) items.push(ts === undefined ? v : [v, ts]);
    this.store(items);
    if (items.length > 0) this.access.noteWrite(items);
  }

  clear(): void {
    this.store([]);
  }

  private store(items: unknown[]): void {
    const a = this.access;
    if (items.length > 0) a.writeTable(this.name).set(a.stateKey(), items);
    else if (a.readTable(this.name)?.has(a.stateKey())) {
      a.writeTable(this.name).delete(a.stateKey());
    }
  }
}

/** Keyed MapState. */
export class KeyedMapState<K, V> implements MapState<K, V> {
  constructor(
    private readonly access: StateAccess,
    private readonly name: string,
    private readonly ttl: TtlPolicy | undefined,
  ) {}

  get(key: K): V | undefined {
    return this.lookup(key)?.[1];
  }

  contains(key: K): boolean {
    return this.lookup(key) !== undefined;
  }

  put(key: K, value: V): void {
    const a = this.access;
    const table = a.writeTable(this.name);
    let map = table.get(a.stateKey()) as Map<StateKey, MapEntry<K, V>> | undefined;
    if (map === undefined) table.set(a.stateKey(), map = new Map());
    const entry: MapEntry<K, V> = this.ttl === undefined
      ? [key, value]
      : [key, value, this.ttl.clock()];
    map.set(stateKeyOf(key), entry);
    a.noteWrite(entry); // the stored entry itself: no array made per put only to be measured
  }

  putAll(entries: Iterable<readonly [K, V]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: K): void {
    const sk = stateKeyOf(key);
    if (!this.readMap()?.has(sk)) return;
    // No `edit` closure here: remove runs per record in some operators.
    const map = this.writableMap()!;
    map.delete(sk);
    this.dropIfEmpty(map);
  }

  entries(): [K, V][] {
    const map = this.readMap();
    if (map === undefined) return [];
    const ttl = this.ttl;
    if (ttl === undefined) return Array.from(map.values(), ([k, v]) => [k, v]);
    const now = ttl.clock();
    const result: [K, V][] = [];
    const expired: StateKey[] = [];
    for (const [sk, [k, v, ts]] of map) {
      const dead = ttl.expired(ts!, now);
      if (dead) expired.push(sk);
      if (!dead || ttl.returnExpired) result.push([k, v]);
    }
    if (expired.length > 0 || ttl.updateOnRead) {
      this.edit((m) => {
        for (const sk of expired) m.delete(sk);
        if (ttl.updateOnRead) { for (const [sk, [k, v]] of m) m.set(sk, [k, v, now]); }
      });
    }
    return result;
  }

  keys(): K[] {
    return this.entries().map(([k]) => k);
  }

  values(): V[] {
    return this.entries().map(([, v]) => v);
  }

  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  clear(): void {
    const a = this.access;
    if (this.readMap() !== undefined) a.writeTable(this.name).delete(a.stateKey());
  }

  /** The entry visible for `key` after the TTL rules (expired entries are removed). */
  private lookup(key: K): MapEntry<K, V> | undefined {
    const sk = stateKeyOf(key);
    const entry = this.readMap()?.get(sk);
    const ttl = this.ttl;
    if (entry === undefined || ttl === undefined) return entry;
    const now = ttl.clock();
    if (ttl.expired(entry[2]!, now)) {
      this.edit((m) => m.delete(sk));
      return ttl.returnExpired ? entry : undefined;
    }
    if (ttl.updateOnRead) this.edit((m) => m.set(sk, [entry[0], entry[1], now]));
    return entry;
  }

  private readMap(): Map<StateKey, MapEntry<K, V>> | undefined {
    const a = this.access;
    return a.readTable(this.name)?.get(a.stateKey()) as
      | Map<StateKey, MapEntry<K, V>>
      | undefined;
  }

  /** Changes the current key's map in place; drops it when it becomes empty. */
  private edit(change: (map: Map<StateKey, MapEntry<K, V>>) => void): void {
    const map = this.writableMap();
    if (map === undefined) return;
    change(map);
    this.dropIfEmpty(map);
  }

  /** The current key's map through the write path (a snapshot's frozen group is copied first). */
  private writableMap(): Map<StateKey, MapEntry<K, V>> | undefined {
    const a = this.access;
    return a.writeTable(this.name).get(a.stateKey()) as Map<StateKey, MapEntry<K, V>> | undefined;
  }

  private dropIfEmpty(map: Map<StateKey, MapEntry<K, V>>): void {
    const a = this.access;
    if (map.size === 0) a.writeTable(this.name).delete(a.stateKey());
  }
}
