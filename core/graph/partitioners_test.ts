import assert from "node:assert/strict";
import { BROADCAST, channelSelector, consumersOf, producersOf } from "./partitioners.ts";
import { assignToKeyGroup, operatorIndexForKeyGroup } from "../state/key_groups.ts";

Deno.test("pointwise edges connect contiguous ranges; all-to-all connects everything", () => {
  assert.deepEqual(consumersOf("forward", 3, 3, 1), [1]);
  assert.deepEqual(consumersOf("rescale", 2, 4, 1), [2, 3]);
  assert.deepEqual(consumersOf("rescale", 4, 2, 3), [1]);
  assert.deepEqual(producersOf("rescale", 4, 2, 0), [0, 1]);
  assert.deepEqual(consumersOf("hash", 2, 3, 0), [0, 1, 2]);
  for (const [p, q] of [[1, 3], [3, 1], [2, 5], [5, 2], [4, 4]]) {
    let pairs = 0;
    for (let j = 0; j < q; j++) pairs += producersOf("rescale", p, q, j).length;
    assert.equal(
      pairs,
      Math.max(p, q),
      `p=${p} q=${q}: each subtask on the wide side has one peer`,
    );
  }
});

Deno.test("hash selector sends keys to the pinned subtasks (the owners of their key groups)", () => {
  // Written down once from today's code (see core/state/key_groups_test.ts): a
  // record must reach the subtask whose key groups hold its key's state.
  const words = ["word", "k0", "k499", "", "🙂"];
  const pinned: Record<number, number[]> = {
    2: [1, 0, 1, 0, 0],
    3: [2, 1, 1, 0, 1],
    4: [3, 1, 2, 0, 1],
    7: [5, 3, 4, 0, 3],
  };
  for (const [p, want] of Object.entries(pinned)) {
    const sel = channelSelector(
      { kind: "hash", keySelector: (r) => (r as string[])[0] },
      Number(p),
      128,
      0,
    );
    assert.deepEqual(words.map((w) => sel([w])), want, `p=${p}`);
  }
  const ints = channelSelector({ kind: "hash", keySelector: (r) => (r as number[])[0] }, 4, 128, 0);
  assert.deepEqual([0, 1, 42, -7, 2147483648].map((k) => ints([k])), [0, 1, 2, 3, 1]);
});

Deno.test("hash selector agrees with key group ownership", () => {
  const sel = channelSelector({ kind: "hash", keySelector: (r) => (r as string[])[0] }, 3, 128, 0);
  for (let i = 0; i < 1000; i++) {
    const key = `k${i}`;
    assert.equal(sel([key]), operatorIndexForKeyGroup(128, 3, assignToKeyGroup(key, 128)));
  }
});

Deno.test("rebalance round-robins; broadcast and custom", () => {
  const rr = channelSelector({ kind: "rebalance" }, 3, 128, 1);
  assert.deepEqual([rr(0), rr(0), rr(0), rr(0)], [1, 2, 0, 1]);
  assert.equal(channelSelector({ kind: "broadcast" }, 3, 128, 0)(0), BROADCAST);
  const custom = channelSelector(
    {
      kind: "custom",
      keySelector: (r) => r,
      custom: (k) => Number(k),
    },
    2,
    128,
    0,
  );
  assert.equal(custom(1), 1);
  assert.throws(() => custom(5), /custom partitioner returned 5/);
});
