import assert from "node:assert/strict";
import {
  assignToKeyGroup,
  hashKey,
  keyGroupOfHash,
  keyGroupRangeForSubtask,
  operatorIndexForKeyGroup,
} from "./key_groups.ts";

Deno.test("hashKey is stable for strings, numbers and structured keys", () => {
  assert.equal(hashKey("héllo"), hashKey("héllo"));
  assert.notEqual(hashKey("a"), hashKey("b"));
  assert.equal(hashKey(42), hashKey(42));
  assert.equal(hashKey(["a", 1]), hashKey(["a", 1]));
  assert.equal(hashKey({ x: 1 }), hashKey({ x: 1 }));
});

Deno.test("key groups are the hash modulo maxParallelism, for hashes past 2^31 too", () => {
  const hashes = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 2, 2 ** 32 - 1];
  for (let i = 0; i < 10_000; i++) hashes.push(hashKey(i * 7919 - 5_000), hashKey(`k${i}`));
  for (const m of [1, 2, 7, 100, 128, 1000, 32768]) {
    for (const h of hashes) assert.equal(keyGroupOfHash(h, m), h % m, `hash ${h} mod ${m}`);
  }
  // Checkpoints are filed by key group: a key's group must never change.
  assert.deepEqual(
    ["word", 42, -7, ["a", 1]].map((k) => assignToKeyGroup(k, 128)),
    ["word", 42, -7, ["a", 1]].map((k) => hashKey(k) % 128),
  );
});

Deno.test("key groups spread words evenly", () => {
  const counts = new Array(128).fill(0);
  for (let i = 0; i < 128_000; i++) counts[assignToKeyGroup(`w${i}`, 128)]++;
  assert.ok(Math.min(...counts) > 700 && Math.max(...counts) < 1300, `skewed: ${counts}`);
});

Deno.test("key group ranges are the inverse of operatorIndexForKeyGroup", () => {
  for (const p of [1, 2, 3, 4, 7, 128]) {
    for (let g = 0; g < 128; g++) {
      const i = operatorIndexForKeyGroup(128, p, g);
      const r = keyGroupRangeForSubtask(128, p, i);
      assert.ok(g >= r.start && g <= r.end, `p=${p} g=${g} i=${i} range=${JSON.stringify(r)}`);
    }
  }
});
