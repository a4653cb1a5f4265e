/**
 * The contract every keyed state backend honours (heap, disk): the five state
 * kinds scoped per key, structured keys, TTL on a fake clock; and, through
 * `state_backend_snapshot_contract.ts`, snapshots, restore and rescaling by
 * key groups.
 * @module
 */

import assert from "node:assert/strict";
import type { KeyGroupRange } from "../../core/state/key_groups.ts";
import type { KeyedStateBackend } from "../../core/state/keyed_state_backend.ts";
import { ListStateDescriptor, stateTtlConfig, ValueStateDescriptor } from "../../core/api/state.ts";
import { snapshotContract } from "./state_backend_snapshot_contract.ts";
import {
  checkFilled,
  EMPTY,
  fill,
  KEYS,
  MAX_PARALLELISM,
  readAll,
  states,
  writeAll,
} from "./_state_fixtures.ts";

/** Makes a fresh, empty backend; the suite disposes it. */
export type KeyedBackendFactory = (options: {
  maxParallelism: number;
  keyGroupRange?: KeyGroupRange;
  clock: () => number;
}) => KeyedStateBackend;

/** Registers the contract tests for one backend. */
export function stateBackendContract(name: string, factory: KeyedBackendFactory): void {
  const make = (clock: () => number = () => 0, keyGroupRange?: KeyGroupRange) =>
    factory({ maxParallelism: MAX_PARALLELISM, keyGroupRange, clock });

  snapshotContract(name, make);

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

  Deno.test(`${name}: namespaced state is apart per key and namespace, over many namespaces`, () => {
    const b = make();
    const v = b.getState(new ValueStateDescriptor<string>("ns"));
    // More namespaces than the backend keeps composite keys for; 1 and "1" stay apart.
    const keys: unknown[] = [1, "1", ["k", 2]];
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 40; n++) {
        for (const k of keys) {
          b.setCurrentKey(k);
          b.setCurrentNamespace(`w${n}`);
          if (round === 0) v.update(`${JSON.stringify(k)}@w${n}`);
          else assert.equal(v.value(), `${JSON.stringify(k)}@w${n}`);
        }
      }
    }
    b.setCurrentKey(1);
    b.setCurrentNamespace(undefined);
    assert.equal(v.value(), undefined, "no namespace is a namespace of its own");
    b.dispose();
  });

  Deno.test(`${name}: structured keys, defaults, and descriptors without a TTL`, () => {
    const b = make();
    const s = states(b);
    b.setCurrentKey("nothing stored yet");
    s.list.update([]);
    s.map.remove("m");
    for (const st of Object.values(s)) st.clear();
    assert.deepEqual(readAll(s), EMPTY);
    const old = b.getState(new ValueStateDescriptor("old", 10));
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
}
