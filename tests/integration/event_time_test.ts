/**
 * Event time end to end on the embedded local cluster (real slot workers):
 * timestamps and watermarks through chains and exchanges, out-of-order and
 * late events, event-time timers, side outputs, two inputs with their own
 * watermarks, and an idle source partition. Each scenario runs at
 * parallelism 1 and 4.
 */

import assert from "node:assert/strict";
import { runJobModule } from "../_helpers/run_job.ts";
import type { Ev } from "../_jobs/event_time_cases.ts";

async function run(name: string, parallelism: number, extra: string[] = []) {
  const { module } = await runJobModule<{ results: unknown[][]; SCRIPT: Ev[] }>(
    "event_time_cases.ts",
    ["--case", name, ...extra],
    { parallelism },
  );
  return module;
}

const sorted = <T>(xs: T[]) =>
  [...xs].sort((a, b) => JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

/** What the job must emit for `events` arriving in order at one keyed operator. */
function reference(events: Ev[]): unknown[][] {
  let wm = -Infinity;
  const sums = new Map<string, number>(); // "key|bucket" -> sum
  const out: unknown[][] = [];
  const fire = (w: number) => {
    const due = [...sums].filter(([kb]) => Number(kb.split("|")[1]) + 9 <= w);
    for (const [kb, sum] of due) {
      const [k, b] = kb.split("|");
      out.push(["fired", k, Number(b), sum, w, Number(b) + 9]);
      sums.delete(kb);
    }
  };
  for (const e of events) {
    if (e.ts <= wm) {
      out.push(["late", e.k, e.ts]);
    } else {
      const kb = `${e.k}|${Math.floor(e.ts / 10) * 10}`;
      sums.set(kb, (sums.get(kb) ?? 0) + e.v);
    }
    if (e.wm !== undefined && e.wm > wm) fire(wm = e.wm);
  }
  fire(Infinity);
  return out;
}

for (const p of [1, 4]) {
  Deno.test(`out-of-order and late events, timers and side output at parallelism ${p}`, async () => {
    const { results, SCRIPT } = await run("punctuated", p);
    const expected = reference(SCRIPT);
    assert.equal(expected.filter((r) => r[0] === "late").length, 2, "the script has 2 late events");
    // Fired records carry the watermark their timer fired at and, after an exchange,
    // the timer's time as their timestamp.
    assert.deepEqual(sorted(results), sorted(expected));
  });

  Deno.test(`two inputs with their own watermarks: the lower one rules (parallelism ${p})`, async () => {
    const { results, SCRIPT } = await run("two-inputs", p);
    const inOrder = SCRIPT.filter((_, i) => i !== 5 && i !== 7);
    const strip = (rs: unknown[][]) => rs.map((r) => [r[1], r[2], r[3], r[5]]);
    assert.deepEqual(sorted(strip(results)), sorted(strip(reference(inOrder))));
    // Input A's last watermark is 20, B's 22: before the end the combined one never passes 20.
    for (const r of results) {
      const [bucket, wm] = [r[2] as number, r[4] as number];
      assert.ok(wm >= bucket + 9 && (wm === Infinity || wm <= 20), `fired at ${wm}: ${r}`);
    }
  });

  Deno.test(`an idle source partition does not hold the watermark back (parallelism ${p})`, async () => {
    const marker = await Deno.makeTempFile({ prefix: "spate-idle-" });
    await Deno.remove(marker);
    try {
      const { results } = await run("idle", p, ["--marker", marker]);
      const fired = results.map((r) => r.slice(1, 4));
      assert.deepEqual(
        sorted(fired),
        sorted([
          ["a", 0, 9],
          ["a", 10, 4],
          ["b", 0, 2],
          ["b", 10, 16],
          ["c", 20, 64],
        ]),
      );
      // Buckets up to 10 fired on a real watermark while subtask 1 was open and empty.
      for (const r of results) {
        if ((r[2] as number) <= 10) assert.ok((r[4] as number) <= 20, `fired at ${r[4]}: ${r}`);
      }
    } finally {
      await Deno.remove(marker).catch(() => {});
    }
  });
}
