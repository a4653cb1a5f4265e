import assert from "node:assert/strict";
import { HeapKeyedStateBackend } from "./heap_keyed_state_backend.ts";
import { ValueStateDescriptor } from "./value_state.ts";
import { assignToKeyGroup } from "./key_groups.ts";

Deno.test("value state is scoped to the current key", () => {
  const backend = new HeapKeyedStateBackend(128);
  const count = backend.getState(new ValueStateDescriptor("count", 0));
  for (const k of ["a", "b", "a", ["x", 1], "a", ["x", 1]]) {
    backend.setCurrentKey(k);
    count.update(count.value()! + 1);
  }
  backend.setCurrentKey("a");
  assert.equal(count.value(), 3);
  backend.setCurrentKey(["x", 1]);
  assert.equal(count.value(), 2);
  count.clear();
  assert.equal(count.value(), 0);
});

Deno.test("state is partitioned by key group", () => {
  const backend = new HeapKeyedStateBackend(16);
  const s = backend.getState(new ValueStateDescriptor<string>("s"));
  for (let i = 0; i < 100; i++) {
    backend.setCurrentKey(`k${i}`);
    s.update(`v${i}`);
  }
  let seen = 0;
  backend.forEach<string>("s", (key, value, group) => {
    seen++;
    assert.equal(group, assignToKeyGroup(key, 16));
    assert.equal(value, `v${String(key).slice(1)}`);
  });
  assert.equal(seen, 100);
});
