import assert from "node:assert/strict";
import {
  assignToKeyGroup,
  hashKey,
  keyGroupOfHash,
  keyGroupRangeForSubtask,
  operatorIndexForKeyGroup,
} from "./key_groups.ts";

/**
 * Hashes and key groups as today's code computes them, written down once:
 * checkpoints file keyed state by key group, so a change to the hash (or to
 * cbor-x's encoding of structured keys) would send restored state to the
 * wrong subtask. Any difference here breaks every existing checkpoint.
 */
const PINNED: [key: unknown, hash: number, group128: number, group32768: number][] = [
  ["", 2872998923, 11, 31755],
  ["word", 3089789026, 98, 28770],
  ["héllo", 4237921247, 95, 3039],
  ["🙂", 3408685887, 63, 27455],
  ["k0", 1753662782, 62, 17726],
  ["k499", 3362404940, 76, 14924],
  [0, 0, 0, 0],
  [1, 1364076727, 55, 10423],
  [-1, 2180083513, 57, 28473],
  [42, 142593372, 92, 19804],
  [-7, 214441827, 99, 8035],
  [2147483647, 4190899880, 40, 3752],
  [-2147483648, 3044334593, 1, 23553],
  [2147483648, 1239168958, 62, 14270],
  [1.5, 765288202, 10, 24330],
  [-0.25, 3002641002, 106, 10858],
  [1e21, 2127081374, 30, 12190],
  [true, 1231, 79, 1231],
  [false, 1237, 85, 1237],
  [null, 4170012953, 25, 22809],
  [["a", 1], 1853894324, 52, 11956],
  [{ x: 1 }, 975526523, 123, 23163],
  [{ user: "u7", page: "/home" }, 3050200095, 31, 23583],
  [[1, [2, 3]], 4088089873, 17, 19729],
];

Deno.test("hashKey and key groups are pinned for strings, integers, floats and structured keys", () => {
  for (const [key, hash, g128, g32768] of PINNED) {
    const k = JSON.stringify(key);
    assert.equal(hashKey(key), hash, `hash of ${k}`);
    assert.equal(assignToKeyGroup(key, 128), g128, `group of ${k} (max parallelism 128)`);
    assert.equal(assignToKeyGroup(key, 32768), g32768, `group of ${k} (max parallelism 32768)`);
  }
  assert.notEqual(hashKey("a"), hashKey("b"));
});

Deno.test("key groups map to subtasks and back as pinned", () => {
  const groups = [0, 1, 42, 63, 64, 127];
  const pinned: Record<number, { subtasks: number[]; ranges: [number, number][] }> = {
    1: { subtasks: [0, 0, 0, 0, 0, 0], ranges: [[0, 127]] },
    2: { subtasks: [0, 0, 0, 0, 1, 1], ranges: [[0, 63], [64, 127]] },
    3: { subtasks: [0, 0, 0, 1, 1, 2], ranges: [[0, 42], [43, 85], [86, 127]] },
    4: { subtasks: [0, 0, 1, 1, 2, 3], ranges: [[0, 31], [32, 63], [64, 95], [96, 127]] },
    7: {
      subtasks: [0, 0, 2, 3, 3, 6],
      ranges: [[0, 18], [19, 36], [37, 54], [55, 73], [74, 91], [92, 109], [110, 127]],
    },
  };
  for (const [p, want] of Object.entries(pinned).map(([p, w]) => [Number(p), w] as const)) {
    assert.deepEqual(
      groups.map((g) => operatorIndexForKeyGroup(128, p, g)),
      want.subtasks,
      `p=${p}`,
    );
    assert.deepEqual(
      Array.from({ length: p }, (_, i) => keyGroupRangeForSubtask(128, p, i))
        .map((r) => [r.start, r.end]),
      want.ranges,
      `ranges at p=${p}`,
    );
  }
});

Deno.test("key groups are the hash modulo maxParallelism, for hashes past 2^31 too", () => {
  const hashes = [0, 1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 2, 2 ** 32 - 1];
  for (let i = 0; i < 10_000; i++) hashes.push(hashKey(i * 7919 - 5_000), hashKey(`k${i}`));
  for (const m of [1, 2, 7, 100, 128, 1000, 32768]) {
    for (const h of hashes) assert.equal(keyGroupOfHash(h, m), h % m, `hash ${h} mod ${m}`);
  }
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
