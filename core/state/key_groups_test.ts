import assert from "node:assert/strict";
import {
  assignToKeyGroup,
  hashKey,
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
