/**
 * Windows end to end on the embedded local cluster (real slot workers):
 * tumbling windows with allowed lateness and a late-data side output,
 * merging session windows, a window join and a coGroup of two inputs with
 * their own watermarks, windowAll, an evictor, a custom trigger,
 * processing-time windows and a non-keyed count window, over scripted
 * out-of-order events. Each scenario runs at parallelism 1 and 4 and must equal a
 * reference computed here.
 */

import assert from "node:assert/strict";
import { sorted } from "../_helpers/sorting.ts";
import { runJobModule } from "../_helpers/run_job.ts";
import type { EnvironmentDefaults } from "../../core/graph/job_plan.ts";
import type { Ev } from "../_jobs/window_cases.ts";

async function run(
  name: string,
  parallelism: number,
  extra: string[] = [],
  defaults: EnvironmentDefaults = {},
) {
  const { module } = await runJobModule<{ results: unknown[][]; SCRIPT: Ev[] }>(
    "window_cases.ts",
    ["--case", name, ...extra],
    { parallelism, ...defaults },
  );
  return module;
}

/**
 * Tumbling 10 ms windows as Flink evaluates them for events arriving in
 * script order: a window fires when the watermark passes its end, again for
 * each element that arrives late but within `lateness`, and drops its state
 * once the watermark passes its end plus `lateness`; later elements go aside.
 */
function tumblingReference(script: Ev[], lateness: number): unknown[][] {
  let wm = -Infinity;
  const sums = new Map<string, number>(); // "key|start" -> sum
  const out: unknown[][] = [];
  const emit = (kw: string) => {
    const [k, w] = kw.split("|");
    out.push([k, Number(w), sums.get(kw), Number(w) + 9]);
  };
  const advance = (to: number) => {
    for (const kw of sums.keys()) {
      const end = Number(kw.split("|")[1]) + 9;
      if (end > wm && end <= to) emit(kw);
    }
    wm = to;
    for (const kw of [...sums.keys()]) {
      if (Number(kw.split("|")[1]) + 9 + lateness <= wm) sums.delete(kw);
    }
  };
  for (const e of script) {
    const start = Math.floor(e.ts / 10) * 10;
    const kw = `${e.k}|${start}`;
    if (start + 9 + lateness <= wm) out.push(["late", e.k, e.ts]);
    else {
      sums.set(kw, (sums.get(kw) ?? 0) + e.v);
      if (start + 9 <= wm) emit(kw); // late, within the lateness: fires at once
    }
    if (e.wm !== undefined && e.wm > wm) advance(e.wm);
  }
  advance(Infinity);
  return out;
}

for (const p of [1, 4]) {
  Deno.test(`tumbling windows: late events to the side output (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("tumbling", p);
    const expected = tumblingReference(SCRIPT, 0);
    assert.deepEqual(expected.filter((r) => r[0] === "late"), [["late", "a", 8], [
      "late",
      "b",
      19,
    ]]);
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`tumbling windows in two phases (the sums merge): the same results and late events, on the heap and the disk state backend (parallelism ${p})`, async () => {
    for (const stateBackend of ["heap", "disk"] as const) {
      const { results, SCRIPT } = await run("tumbling", p, ["--merge", "true"], { stateBackend });
      assert.deepEqual(sorted(results), sorted(tumblingReference(SCRIPT, 0)), stateBackend);
    }
  });

  Deno.test(`tumbling windows: allowed lateness fires late windows again (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("tumbling", p, ["--lateness", "5"]);
    const expected = tumblingReference(SCRIPT, 5);
    assert.ok(expected.some((r) => r[0] === "a" && r[1] === 0 && r[2] === 41), "a late firing");
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`session windows merge out-of-order events (parallelism ${p})`, async () => {
    const { results } = await run("sessions", p);
    // Worked out by hand from the script: a session fired at a watermark is
    // gone, so a later event starts a new one even where it would touch it.
    assert.deepEqual(
      sorted(results),
      sorted([
        ["a", 1, 10, [1, 8]],
        ["b", 3, 8, [2]],
        ["a", 8, 17, [4, 32]],
        ["b", 15, 20, [16]],
        ["b", 19, 24, [128]],
        ["a", 21, 26, [256]],
        ["c", 22, 30, [64, 512]],
        ["b", 38, 43, [1024]],
      ]),
    );
  });

  Deno.test(`a window join pairs the two inputs per key and window (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("join", p);
    const inOrder = SCRIPT.filter((_, i) => i !== 5 && i !== 7);
    const left = inOrder.filter((_, i) => i % 2 === 0);
    const bucket = (e: Ev) => Math.floor(e.ts / 10) * 10;
    const expected = left.flatMap((a) =>
      inOrder.filter((b) => b.k === a.k && bucket(b) === bucket(a))
        .map((b) => [a.k, bucket(a), a.v, b.v])
    );
    assert.equal(expected.length, 6);
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`windowAll: one tumbling window over every key (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("window-all", p);
    // The keyed reference with one key: the same windows, late events and sums.
    const expected = tumblingReference(SCRIPT.map((e) => ({ ...e, k: "*" })), 0)
      .filter((r) => r[0] === "*").map((r) => [r[1], r[2]]);
    assert.deepEqual(sorted(expected), sorted([[0, 11], [10, 20], [20, 832], [30, 1024]]));
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`coGroup: both inputs' elements per key and window, one side or both (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("cogroup", p);
    const inOrder = SCRIPT.filter((_, i) => i !== 5 && i !== 7);
    const left = inOrder.filter((_, i) => i % 2 === 0);
    const right = inOrder.filter((_, i) => i % 3 === 1);
    const groups = new Map<string, [number[], number[]]>();
    for (const [side, events] of [[0, left], [1, right]] as const) {
      for (const e of events) {
        const g = `${e.k}|${Math.floor(e.ts / 10) * 10}`;
        if (!groups.has(g)) groups.set(g, [[], []]);
        groups.get(g)![side].push(e.v);
      }
    }
    const expected = [...groups].map(([g, [l, r]]): [string, number, number[], number[]] => {
      const [k, start] = g.split("|");
      return [k, Number(start), l.sort((a, b) => a - b), r.sort((a, b) => a - b)];
    });
    assert.ok(expected.some((r) => r[2].length > 0 && r[3].length === 0), "a left-only group");
    assert.ok(expected.some((r) => r[2].length === 0 && r[3].length > 0), "a right-only group");
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`an evictor keeps each window's last 2 arrivals (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("evictor", p);
    // The on-time events (5 and 7 are late) by key and window, in arrival order.
    const kept = new Map<string, number[]>();
    for (const [i, e] of SCRIPT.entries()) {
      if (i === 5 || i === 7) continue;
      const g = `${e.k}|${Math.floor(e.ts / 10) * 10}`;
      kept.set(g, [...kept.get(g) ?? [], e.v].slice(-2));
    }
    const expected = [...kept].map(([g, vs]) => [g.split("|")[0], Number(g.split("|")[1]), vs]);
    assert.ok(expected.some((r) => r[0] === "a" && r[1] === 0), "a window that had 2 to keep");
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`a custom trigger fires on a running sum and at the window's end (parallelism ${p})`, async () => {
    const { results } = await run("trigger", p);
    // Worked out by hand from the script (threshold 10; events 5 and 7 are late).
    assert.deepEqual(
      sorted(results),
      sorted([
        ["a", 0, 9],
        ["a", 10, 4],
        ["a", 20, 256],
        ["b", 0, 2],
        ["b", 10, 16],
        ["b", 30, 1024],
        ["c", 20, 64],
        ["c", 20, 512],
      ]),
    );
  });

  Deno.test(`processing-time windows hold every element once, in aligned windows (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("processing-time", p);
    const rows = results as [number, number, number, number][];
    for (const [start, end] of rows) {
      assert.equal(end - start, 50);
      assert.equal(start % 50, 0);
    }
    assert.equal(rows.reduce((n, r) => n + r[2], 0), SCRIPT.length, JSON.stringify(rows));
    assert.equal(rows.reduce((n, r) => n + r[3], 0), SCRIPT.reduce((n, e) => n + e.v, 0));
  });

  Deno.test(`a count window over the whole stream (parallelism ${p})`, async () => {
    const { results } = await run("count-all", p);
    assert.deepEqual(sorted(results), sorted([[7], [56], [448]]));
  });
}
