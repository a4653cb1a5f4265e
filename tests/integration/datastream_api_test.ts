/** The DataStream API end to end on the embedded local cluster (real slot workers). */

import assert from "node:assert/strict";
import { sorted } from "../_helpers/sorting.ts";
import { runJobModule } from "../_helpers/run_job.ts";

async function run(name: string, parallelism = 2, runtimeMode?: "streaming" | "batch") {
  const { module, result } = await runJobModule<{ results: unknown[] }>(
    "api_cases.ts",
    ["--case", name],
    { parallelism, runtimeMode },
  );
  return { results: module.results, result };
}

Deno.test("map, filter and flatMap at parallelism 2", async () => {
  const { results } = await run("map-filter-flatmap");
  const expected: number[] = [];
  for (let x = 1; x <= 1000; x++) if ((x * 2) % 3 === 0) expected.push(x * 2, -x * 2);
  assert.deepEqual(sorted(results), sorted(expected));
});

Deno.test("union merges streams", async () => {
  assert.deepEqual(sorted((await run("union")).results), sorted([1, 2, 3, 10, 11, 12, 100]));
});

Deno.test("keyed reduce: every update in streaming mode, final values in batch mode", async () => {
  const streaming = await run("reduce", 2, "streaming");
  assert.deepEqual(
    sorted(streaming.results),
    sorted([["a", 3], ["a", 8], ["a", 9], ["b", 1], ["b", 8]]),
  );
  const batch = await run("reduce", 2, "batch");
  assert.deepEqual(sorted(batch.results), [["a", 9], ["b", 8]]);
  const automatic = await run("reduce", 2);
  assert.deepEqual(sorted(automatic.results), [["a", 9], ["b", 8]], "bounded sources: batch");
});

Deno.test("min and maxBy", async () => {
  assert.deepEqual(sorted((await run("min", 2, "batch")).results), [["a", 1], ["b", 1]]);
  assert.deepEqual(sorted((await run("maxBy", 2, "batch")).results), [
    { k: "a", v: 5, i: 2 },
    { k: "b", v: 7, i: 3 },
  ]);
});

Deno.test("keyed process function with value state", async () => {
  const { results } = await run("keyed-process", 3);
  assert.deepEqual(sorted(results), sorted([["a", 1], ["a", 2], ["a", 3], ["b", 1], ["b", 2]]));
});

Deno.test("state time-to-live: a key's count starts again once its state expired, not before", async () => {
  // a's state expires before a comes again; b's second record comes right after its first.
  const { results } = await run("state-ttl", 2, "streaming");
  assert.deepEqual(sorted(results), sorted([["a", 1], ["b", 1], ["b", 2], ["a", 1], ["c", 1]]));
});

Deno.test("process function emits at end of input", async () => {
  assert.deepEqual((await run("process-end-input")).results, [5050]);
});

Deno.test("partitioners route records as specified", async () => {
  const bySubtask = (rs: unknown[]) => {
    const m = new Map<number, number[]>();
    for (const [s, v] of rs as [number, number][]) m.set(s, [...(m.get(s) ?? []), v]);
    return m;
  };
  const broadcast = bySubtask((await run("broadcast")).results);
  for (const s of [0, 1, 2]) assert.deepEqual(broadcast.get(s)!.sort(), [1, 2, 3, 4, 5]);
  const global = bySubtask((await run("global")).results);
  assert.deepEqual([...global.keys()], [0]);
  assert.equal(global.get(0)!.length, 50);
  const custom = bySubtask((await run("custom")).results);
  for (const [s, vs] of custom) for (const v of vs) assert.equal(v % 3, s);
  for (const name of ["rebalance", "rescale", "shuffle"]) {
    const rs = (await run(name)).results as [number, number][];
    assert.deepEqual(
      rs.map(([, v]) => v).sort((a, b) => a - b),
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    assert.ok(bySubtask(rs).size >= 3, `${name} spreads records over the subtasks`);
  }
});

Deno.test("generator source and slot sharing groups", async () => {
  const gen = await run("generator", 3);
  assert.deepEqual(
    sorted(gen.results),
    sorted(Array.from({ length: 10 }, (_, i) => ({ id: i * 100, name: `n${i * 100}` }))),
  );
  const groups = await run("slot-groups", 2);
  assert.equal(groups.results.length, 100);
  assert.equal(groups.result.slots, 4, "two groups of parallelism 2 take 4 slots");
});
