import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import {
  type OperatorStateSnapshot,
  OperatorStateStore,
  redistributeOperatorState,
} from "./operator_state.ts";
import { ListStateDescriptor, MapStateDescriptor, stateTtlConfig } from "../api/state.ts";

const OFFSETS = new ListStateDescriptor<number>("offsets");
const SPLITS = new ListStateDescriptor<string>("splits");
const RULES = new MapStateDescriptor<string | [string, number], number>("rules");

/** Old subtask i holds offsets [10i, 10i+1, 10i+2], split "s<i>", and the same rules. */
function oldSnapshots(parallelism: number): OperatorStateSnapshot[] {
  return Array.from({ length: parallelism }, (_, i) => {
    const store = new OperatorStateStore();
    store.getListState(OFFSETS).update([10 * i, 10 * i + 1, 10 * i + 2]);
    store.getUnionListState(SPLITS).add(`s${i}`);
    const rules = store.getBroadcastState(RULES);
    rules.putAll([["r", 1], [["k", 2], i === 0 ? 2 : 99]]);
    return decode(encode(store.snapshot(3))); // survives CBOR
  });
}

Deno.test("list state is split evenly and contiguously on rescale", () => {
  const old = oldSnapshots(2); // offsets 0 1 2 10 11 12
  const parts = [0, 1, 2, 3].map((i) => {
    const store = new OperatorStateStore();
    store.restore(redistributeOperatorState(old, 4, i));
    return store.getListState(OFFSETS).get();
  });
  assert.deepEqual(parts, [[0, 1], [2, 10], [11], [12]]);
  const one = new OperatorStateStore();
  one.restore(redistributeOperatorState(old, 1, 0));
  assert.deepEqual(one.getListState(OFFSETS).get(), [0, 1, 2, 10, 11, 12]);
});

Deno.test("union list state gives every subtask every element", () => {
  const old = oldSnapshots(3);
  for (const i of [0, 1]) {
    const store = new OperatorStateStore();
    store.restore(redistributeOperatorState(old, 2, i));
    assert.deepEqual(store.getUnionListState(SPLITS).get(), ["s0", "s1", "s2"]);
  }
});

Deno.test("broadcast state is subtask 0's copy everywhere", () => {
  const old = oldSnapshots(2);
  for (const i of [0, 1, 2]) {
    const store = new OperatorStateStore();
    store.restore(redistributeOperatorState(old, 3, i));
    const rules = store.getBroadcastState(RULES);
    assert.deepEqual(rules.entries(), [["r", 1], [["k", 2], 2]]);
    assert.equal(rules.get(["k", 2]), 2);
    assert.ok(rules.contains("r") && !rules.isEmpty());
  }
});

Deno.test("a snapshot is a copy; restore does not share the snapshot", () => {
  const store = new OperatorStateStore();
  const offsets = store.getListState(OFFSETS);
  const rules = store.getBroadcastState(RULES);
  offsets.addAll([1, 2]);
  rules.put("a", 1);
  const snapshot = store.snapshot(1);
  offsets.add(3);
  rules.remove("a");
  assert.deepEqual(snapshot.states, [
    { name: "offsets", mode: "split", elements: [1, 2] },
    { name: "rules", mode: "broadcast", entries: [["a", 1]] },
  ]);
  store.restore(snapshot); // handles taken before restore see the restored state
  offsets.add(4);
  assert.deepEqual(offsets.get(), [1, 2, 4]);
  assert.deepEqual(rules.keys(), ["a"]);
  assert.deepEqual(snapshot.states[0], { name: "offsets", mode: "split", elements: [1, 2] });
  offsets.clear();
  rules.clear();
  assert.deepEqual([offsets.get(), rules.values()], [[], []]);
});

Deno.test("misuse fails with a message naming the state", () => {
  const store = new OperatorStateStore();
  store.getListState(OFFSETS).add(1);
  assert.throws(() => store.getUnionListState(OFFSETS), /"offsets" is split state/);
  const ttl = new ListStateDescriptor<number>("t", stateTtlConfig(10));
  assert.throws(() => store.getListState(ttl), /TTL applies only to keyed state/);
  assert.throws(() => redistributeOperatorState([], 2, 2), /subtask 2 of parallelism 2/);
});
