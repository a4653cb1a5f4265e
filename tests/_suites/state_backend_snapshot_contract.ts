/**
 * The snapshot half of the keyed state backend contract: snapshots ignore
 * writes made after they were taken, restore gives back every entry (TTL
 * timestamps included), rescaling by key groups keeps every entry, and a
 * random workload matches a model across failovers.
 * @module
 */

import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import {
  type KeyGroupRange,
  keyGroupRangeForSubtask,
  operatorIndexForKeyGroup,
} from "../../core/state/key_groups.ts";
import type { KeyedStateBackend } from "../../core/state/keyed_state_backend.ts";
import { stateTtlConfig, ValueStateDescriptor } from "../../core/api/state.ts";
import {
  checkFilled,
  fill,
  KEYS,
  MAX_PARALLELISM,
  ownerOf,
  prng,
  rows,
  states,
  writeAll,
} from "./_state_fixtures.ts";

/** Makes a fresh backend with this clock and key-group range. */
export type MakeBackend = (
  clock?: () => number,
  keyGroupRange?: KeyGroupRange,
) => KeyedStateBackend;

/** Registers the snapshot tests for one backend. */
export function snapshotContract(name: string, make: MakeBackend): void {
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

  Deno.test(`${name}: restore refuses a backend with state, overlapping snapshots, another maxParallelism`, async () => {
    const b = make();
    fill(b, KEYS);
    const whole = await b.snapshot(3);
    assert.throws(
      () => b.restore([whole]),
      /^Error: restore: this backend already holds state; restore into a new backend$/,
    );
    b.dispose();
    // Two snapshots that both hold a key group: the ranges of their subtasks overlapped.
    const twice = make();
    assert.throws(
      () => twice.restore([whole, whole]),
      /^Error: restore: key group \d+ is in two snapshots; ranges overlap$/,
    );
    twice.dispose();
    const other = make();
    assert.throws(
      () => other.restore([{ ...whole, maxParallelism: MAX_PARALLELISM * 2 }]),
      new RegExp(
        `restore: checkpoint 3 has maxParallelism ${MAX_PARALLELISM * 2}, this backend ` +
          `${MAX_PARALLELISM}; maxParallelism cannot change across a restore`,
      ),
    );
    other.dispose();
    const keyless = make();
    assert.throws(
      () => keyless.getState(new ValueStateDescriptor<number>("v")).value(),
      /keyed state used without a current key; call setCurrentKey\(key\) first/,
    );
    keyless.dispose();
    assert.throws(
      () => make(undefined, { start: 0, end: MAX_PARALLELISM }),
      new RegExp(`key group range 0..${MAX_PARALLELISM} does not fit maxParallelism`),
    );
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
