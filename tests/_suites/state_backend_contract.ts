/**
 * The contract every keyed state backend honours (heap, disk): the five state
 * kinds scoped per key, structured keys, TTL on a fake clock, snapshots that
 * ignore writes made after `snapshot()`, restore, and rescaling by key groups.
 * @module
 */

import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import {
  assignToKeyGroup,
  type KeyGroupRange,
  keyGroupRangeForSubtask,
  operatorIndexForKeyGroup,
} from "../../core/state/key_groups.ts";
import type {
  KeyedStateBackend,
  KeyedStateSnapshot,
  StateKey,
} from "../../core/state/keyed_state_backend.ts";
import {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  type StateTtlConfig,
  stateTtlConfig,
  ValueStateDescriptor,
} from "../../core/state/state_descriptors.ts";
import { ValueStateDescriptor as OldValueStateDescriptor } from "../../core/state/value_state.ts";

/** Makes a fresh, empty backend; the suite disposes it. */
export type KeyedBackendFactory = (options: {
  maxParallelism: number;
  keyGroupRange?: KeyGroupRange;
  clock: () => number;
}) => KeyedStateBackend;

const MAX_PARALLELISM = 16;
const AVG = {
  createAccumulator: (): [number, number] => [0, 0],
  add: (v: number, [s, n]: [number, number]): [number, number] => [s + v, n + 1],
  getResult: ([s, n]: [number, number]) => s / n,
};

/** The five states every test uses, optionally with one TTL config. */
function states(b: KeyedStateBackend, ttl?: StateTtlConfig) {
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
function writeAll(s: States, v: number): void {
  s.value.update(v);
  s.list.add(`${v}`);
  s.map.put(`${v}`, v);
  s.sum.add(v);
  s.avg.add(v);
}

/** Reads each of the five states (reading may clean up expired entries). */
function readAll(s: States) {
  return {
    value: s.value.value(),
    list: s.list.get(),
    map: s.map.entries(),
    sum: s.sum.get(),
    avg: s.avg.get(),
  };
}

const EMPTY = { value: undefined, list: [], map: [], sum: undefined, avg: undefined };

/** Every entry of a snapshot as sortable rows: [state, keyGroup, key, stored]. */
function rows(...snapshots: KeyedStateSnapshot[]): [string, number, StateKey, unknown][] {
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
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS: unknown[] = ["a", "b", 7, -3, ["x", 1], ["x", 2], { user: "u1" }, "héllo", true];

type Own = (key: unknown) => boolean;

/** Writes known values, derived from the key's index, into every state for the owned keys. */
function fill(b: KeyedStateBackend, keys: unknown[], tag = 0, own: Own = () => true): void {
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
function checkFilled(b: KeyedStateBackend, keys: unknown[], tag = 0, own: Own = () => true): void {
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

/** Registers the contract tests for one backend. */
export function stateBackendContract(name: string, factory: KeyedBackendFactory): void {
  const make = (clock: () => number = () => 0, keyGroupRange?: KeyGroupRange) =>
    factory({ maxParallelism: MAX_PARALLELISM, keyGroupRange, clock });

  Deno.test(`${name}: the five state kinds are scoped to the current key`, () => {
    const b = make();
    fill(b, KEYS);
    checkFilled(b, KEYS);
    const s = states(b);
    b.setCurrentKey(["x", 1]);
    assert.equal(s.map.get(["m", 4]), 4);
    assert.ok(s.map.contains("n0") && !s.map.contains("n1"));
    assert.deepEqual(s.map.keys(), [["m", 4], "n0"]);
    s.map.remove(["m", 4]);
    assert.deepEqual(s.map.values(), [0]);
    s.list.update(["only"]);
    assert.deepEqual(s.list.get(), ["only"]);
    for (const st of Object.values(s)) st.clear();
    assert.deepEqual(readAll(s), EMPTY);
    b.setCurrentKey(["x", 2]); // other keys are untouched
    assert.equal(s.value.value(), 5);
    b.dispose();
  });

  Deno.test(`${name}: structured keys, defaults, and old descriptors`, () => {
    const b = make();
    const s = states(b);
    b.setCurrentKey("nothing stored yet");
    s.list.update([]);
    s.map.remove("m");
    for (const st of Object.values(s)) st.clear();
    assert.deepEqual(readAll(s), EMPTY);
    const old = b.getState(new OldValueStateDescriptor("old", 10));
    b.setCurrentKey({ user: "u1", n: [1, 2] });
    old.update(11);
    b.setCurrentKey({ user: "u1", n: [1, 2] }); // an equal key, another object
    assert.equal(old.value(), 11);
    b.setCurrentKey({ user: "u1", n: [1, 3] });
    assert.equal(old.value(), 10);
    old.update(undefined as unknown as number); // undefined clears
    assert.equal(old.value(), 10);
    assert.throws(() => b.getListState(new ListStateDescriptor("old")), /registered as value/);
    b.dispose();
  });

  Deno.test(`${name}: TTL OnCreateAndWrite / NeverReturnExpired`, () => {
    let now = 0;
    const b = make(() => now);
    const s = states(b, stateTtlConfig(100));
    b.setCurrentKey("k");
    writeAll(s, 1);
    now = 50;
    s.list.add("2");
    s.map.put("2", 2);
    now = 99; // reads do not refresh
    assert.deepEqual(readAll(s), {
      value: 1,
      list: ["1", "2"],
      map: [["1", 1], ["2", 2]],
      sum: 1,
      avg: 1,
    });
    now = 100; // expired at ts + ttl; list elements and map entries expire one by one
    s.sum.add(5); // an expired accumulator starts over
    s.avg.add(5);
    assert.deepEqual(readAll(s), { ...EMPTY, list: ["2"], map: [["2", 2]], sum: 5, avg: 5 });
    now = 150;
    assert.deepEqual(readAll(s), { ...EMPTY, sum: 5, avg: 5 });
    b.dispose();
  });

  Deno.test(`${name}: TTL OnReadAndWrite refreshes on read`, () => {
    let now = 0;
    const b = make(() => now);
    const s = states(b, stateTtlConfig(100, { updateType: "OnReadAndWrite" }));
    b.setCurrentKey("k");
    writeAll(s, 1);
    const all = { value: 1, list: ["1"], map: [["1", 1]], sum: 1, avg: 1 };
    now = 90;
    assert.deepEqual(readAll(s), all);
    now = 189;
    assert.deepEqual(readAll(s), all);
    now = 289;
    assert.deepEqual(readAll(s), EMPTY);
    b.dispose();
  });

  Deno.test(`${name}: TTL ReturnExpiredIfNotCleanedUp returns an expired value once`, () => {
    let now = 0;
    const b = make(() => now);
    const s = states(b, stateTtlConfig(100, { visibility: "ReturnExpiredIfNotCleanedUp" }));
    b.setCurrentKey("k");
    writeAll(s, 1);
    now = 100;
    s.sum.add(2); // not cleaned up yet: folds into the expired accumulator
    s.avg.add(3);
    assert.deepEqual(readAll(s), { value: 1, list: ["1"], map: [["1", 1]], sum: 3, avg: 2 });
    assert.deepEqual(readAll(s), { ...EMPTY, sum: 3, avg: 2 });
    b.dispose();
  });

  Deno.test(`${name}: writes after snapshot() are not in the snapshot`, async () => {
    const b = make();
    fill(b, KEYS);
    const s = states(b);
    const obj = b.getState(new ValueStateDescriptor<{ n: number }>("obj"));
    b.setCurrentKey("a");
    obj.update({ n: 1 });
    const pending = b.snapshot(1);
    const o = obj.value()!;
    o.n++; // the read-modify-write pattern must not reach the snapshot
    obj.update(o);
    b.setCurrentKey("a");
    writeAll(s, 50);
    b.setCurrentKey(7);
    s.list.clear();
    b.setCurrentKey("new-key");
    s.value.update(1);
    const snapshot = await pending;
    const restored = make();
    restored.restore([decode(encode(snapshot))]); // survives CBOR
    checkFilled(restored, KEYS);
    restored.setCurrentKey("new-key");
    assert.equal(states(restored).value.value(), undefined);
    restored.setCurrentKey("a");
    assert.deepEqual(restored.getState(new ValueStateDescriptor("obj")).value(), { n: 1 });
    const after = await b.snapshot(2); // the live state kept the late writes
    assert.notDeepEqual(rows(after), rows(snapshot));
    b.setCurrentKey("a");
    assert.deepEqual(s.list.get(), ["0", "0", "50"]);
    b.dispose(), restored.dispose();
  });

  Deno.test(`${name}: snapshotEncoded captures at once and restores like snapshot()`, async () => {
    const b = make();
    fill(b, KEYS);
    const encoded = b.snapshotEncoded(7);
    assert.ok(encoded.keyGroups.length > 0 && encoded.keyGroups.every((g) => g.encoded));
    const plain = await b.snapshot(8);
    const value = b.getState(new ValueStateDescriptor<string>("value"));
    b.setCurrentKey(KEYS[0]);
    value.update("written after the capture");
    const restored = make();
    restored.restore([encoded]);
    checkFilled(restored, KEYS);
    assert.deepEqual(rows(await restored.snapshot(9)), rows(plain));
  });

  Deno.test(`${name}: restore gives back the same entries, TTL timestamps included`, async () => {
    let now = 0;
    const b = make(() => now);
    fill(b, KEYS);
    const ttl = b.getState(new ValueStateDescriptor<string>("ttl", undefined, stateTtlConfig(100)));
    b.setCurrentKey("a");
    ttl.update("t");
    const snapshot = await b.snapshot(3);
    assert.equal(snapshot.checkpointId, 3);
    const restored = make(() => now);
    restored.restore([snapshot]);
    checkFilled(restored, KEYS);
    assert.deepEqual(rows(await restored.snapshot(4)), rows(snapshot));
    const rttl = restored.getState(
      new ValueStateDescriptor<string>("ttl", undefined, stateTtlConfig(100)),
    );
    restored.setCurrentKey("a");
    now = 99;
    assert.equal(rttl.value(), "t");
    now = 100;
    assert.equal(rttl.value(), undefined);
    assert.throws(() => make().restore([{ ...snapshot, maxParallelism: 8 }]), /maxParallelism/);
    b.dispose(), restored.dispose();
  });

  Deno.test(`${name}: rescaling from 2 subtasks to 3 and to 1 keeps every entry`, async () => {
    const keys = Array.from({ length: 200 }, (_, i) => i % 3 ? `w${i}` : [i, "x"]);
    const oldSnapshots = await Promise.all([0, 1].map(async (i) => {
      const range = keyGroupRangeForSubtask(MAX_PARALLELISM, 2, i);
      const b = make(() => 0, range);
      fill(b, keys, 0, (k) => ownerOf(k, 2) === i);
      assert.throws(() => b.setCurrentKey(keys.find((k) => ownerOf(k, 2) !== i)), /outside/);
      const s = await b.snapshot(5);
      assert.deepEqual(s.keyGroupRange, range);
      b.dispose();
      return s;
    }));
    const frozen = structuredClone(oldSnapshots);
    for (const parallelism of [3, 1]) {
      const backends = Array.from({ length: parallelism }, (_, i) => {
        const b = make(() => 0, keyGroupRangeForSubtask(MAX_PARALLELISM, parallelism, i));
        b.restore(oldSnapshots);
        return b;
      });
      const newSnapshots = await Promise.all(backends.map((b) => b.snapshot(6)));
      newSnapshots.forEach((s, i) => {
        for (const g of s.keyGroups) {
          assert.equal(operatorIndexForKeyGroup(MAX_PARALLELISM, parallelism, g.keyGroup), i);
        }
      });
      assert.deepEqual(rows(...newSnapshots), rows(...oldSnapshots));
      backends.forEach((b, i) => {
        const own = (k: unknown) => ownerOf(k, parallelism) === i;
        checkFilled(b, keys, 0, own);
        fill(b, keys, 1, own); // writes to restored state leave the snapshots intact
      });
      backends.forEach((b) => b.dispose());
    }
    assert.deepEqual(oldSnapshots, frozen);
  });

  Deno.test(`${name}: a random workload matches a model across failovers`, async () => {
    const random = prng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const keys = [...KEYS, ...Array.from({ length: 40 }, (_, i) => `k${i}`)];
    type Model = { value?: number; list: string[]; map: Map<string, number>; sum?: number };
    let model = new Map<string, Model>();
    let b = make();
    let s = states(b);
    const step = () => {
      const key = pick(keys);
      b.setCurrentKey(key);
      const sk = JSON.stringify(key);
      const m: Model = model.get(sk) ?? { list: [], map: new Map() };
      model.set(sk, m);
      const x = Math.floor(random() * 100);
      switch (Math.floor(random() * 8)) {
        case 0:
          s.value.update(x);
          m.value = x;
          break;
        case 1:
          s.list.add(`${x}`);
          m.list.push(`${x}`);
          break;
        case 2:
          s.map.put(`m${x % 7}`, x);
          m.map.set(`m${x % 7}`, x);
          break;
        case 3:
          s.map.remove(`m${x % 7}`);
          m.map.delete(`m${x % 7}`);
          break;
        case 4:
          s.sum.add(x);
          m.sum = (m.sum ?? 0) + x;
          break;
        case 5:
          s.list.clear();
          s.value.clear();
          m.list = [];
          delete m.value;
          break;
        default:
          assert.deepEqual([s.value.value(), s.list.get(), s.sum.get()], [m.value, m.list, m.sum]);
          assert.deepEqual(new Map(s.map.entries() as [string, number][]), m.map);
      }
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 400; i++) step();
      const modelAtSnapshot = structuredClone(model);
      const pending = b.snapshot(round);
      for (let i = 0; i < 100; i++) step(); // processing continues, then a failure
      const snapshot = await pending;
      b.dispose();
      b = make();
      b.restore([snapshot]);
      s = states(b);
      model = modelAtSnapshot;
    }
    for (let i = 0; i < 400; i++) step();
    b.dispose();
  });
}

/** The subtask of `parallelism` that owns `key`. */
function ownerOf(key: unknown, parallelism: number): number {
  return operatorIndexForKeyGroup(
    MAX_PARALLELISM,
    parallelism,
    assignToKeyGroup(key, MAX_PARALLELISM),
  );
}
