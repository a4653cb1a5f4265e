/**
 * Internal: what the keyed state backend contract suites share: the five
 * states every test writes, readers of them, deterministic key sets and
 * workloads, and a canonical view of snapshots to compare them.
 * @module
 */

import assert from "node:assert/strict";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  type StateTtlConfig,
  ValueStateDescriptor,
} from "../../core/api/state.ts";
import { assignToKeyGroup, operatorIndexForKeyGroup } from "../../core/state/key_groups.ts";
import type {
  KeyedStateBackend,
  KeyedStateSnapshot,
  StateKey,
} from "../../core/state/keyed_state_backend.ts";

export const MAX_PARALLELISM = 16;
const AVG = {
  createAccumulator: (): [number, number] => [0, 0],
  add: (v: number, [s, n]: [number, number]): [number, number] => [s + v, n + 1],
  getResult: ([s, n]: [number, number]) => s / n,
};

/** The five states every test uses, optionally with one TTL config. */
export function states(b: KeyedStateBackend, ttl?: StateTtlConfig) {
  return {
    value: b.getState(new ValueStateDescriptor<number>("value", undefined, ttl)),
    list: b.getListState(new ListStateDescriptor<string>("list", ttl)),
    map: b.getMapState(new MapStateDescriptor<unknown, number>("map", ttl)),
    sum: b.getReducingState(new ReducingStateDescriptor<number>("sum", (a, x) => a + x, ttl)),
    avg: b.getAggregatingState(new AggregatingStateDescriptor("avg", AVG, ttl)),
  };
}

type States = ReturnType<typeof states>;

/** Writes `v` into each of the five states. */
export function writeAll(s: States, v: number): void {
  s.value.update(v);
  s.list.add(`${v}`);
  s.map.put(`${v}`, v);
  s.sum.add(v);
  s.avg.add(v);
}

/** Reads each of the five states (reading may clean up expired entries). */
export function readAll(s: States) {
  return {
    value: s.value.value(),
    list: s.list.get(),
    map: s.map.entries(),
    sum: s.sum.get(),
    avg: s.avg.get(),
  };
}

export const EMPTY = { value: undefined, list: [], map: [], sum: undefined, avg: undefined };

/** Every entry of a snapshot as sortable rows: [state, keyGroup, key, stored]. */
export function rows(...snapshots: KeyedStateSnapshot[]): [string, number, StateKey, unknown][] {
  const out: [string, number, StateKey, unknown][] = [];
  for (const s of snapshots) {
    for (const g of s.keyGroups) {
      for (const st of g.states) {
        for (const [k, v] of st.entries) out.push([st.name, g.keyGroup, k, v]);
      }
    }
  }
  const sortKey = (r: unknown[]) => JSON.stringify(r.slice(0, 3));
  return out.sort((a, b) => sortKey(a) < sortKey(b) ? -1 : 1);
}

/** A seeded PRNG (mulberry32), so workloads are the same for every backend. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const KEYS: unknown[] = ["a", "b", 7, -3, ["x", 1], ["x", 2], { user: "u1" }, "héllo", true];

export type Own = (key: unknown) => boolean;

/** Writes known values, derived from the key's index, into every state for the owned keys. */
export function fill(b: KeyedStateBackend, keys: unknown[], tag = 0, own: Own = () => true): void {
  const s = states(b);
  keys.forEach((key, i) => {
    if (!own(key)) return;
    b.setCurrentKey(key);
    s.value.update(i + tag);
    s.list.addAll([`${i}`, `${tag}`]);
    s.map.put(["m", i], i);
    s.map.put(`n${tag}`, tag);
    s.sum.add(i);
    s.avg.add(i + tag);
  });
}

/** Checks what `fill` wrote, reading through fresh handles. */
export function checkFilled(
  b: KeyedStateBackend,
  keys: unknown[],
  tag = 0,
  own: Own = () => true,
): void {
  const s = states(b);
  keys.forEach((key, i) => {
    if (!own(key)) return;
    b.setCurrentKey(key);
    const at = `key ${JSON.stringify(key)}`;
    assert.equal(s.value.value(), i + tag, at);
    assert.deepEqual(s.list.get(), [`${i}`, `${tag}`], at);
    assert.deepEqual(s.map.entries(), [[["m", i], i], [`n${tag}`, tag]], at);
    assert.equal(s.sum.get(), i, at);
    assert.equal(s.avg.get(), i + tag, at);
  });
}

/** The subtask of `parallelism` that owns `key`. */
export function ownerOf(key: unknown, parallelism: number): number {
  return operatorIndexForKeyGroup(
    MAX_PARALLELISM,
    parallelism,
    assignToKeyGroup(key, MAX_PARALLELISM),
  );
}
