/**
 * Event time end to end on the embedded local cluster (real slot workers):
 * timestamps and watermarks through chains and exchanges, out-of-order and
 * late events, event-time timers, side outputs, two inputs with their own
 * watermarks, an idle source partition, and two-input operators (keyed
 * connect, keyed broadcast state, interval join). Each scenario runs at
 * parallelism 1 and 4.
 */

import assert from "node:assert/strict";
import { sorted } from "../_helpers/sorting.ts";
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

Deno.test("interval join of records without timestamps: the job fails, naming the join", async () => {
  await assert.rejects(
    () => run("interval-join-untimed", 2),
    (e: Error) => {
      assert.equal(e.name, "JobExecutionError");
      assert.match(e.message, /in operator 'Interval Join'/);
      assert.match(e.message, /has no timestamp; .*assignTimestampsAndWatermarks\(\)/);
      return true;
    },
  );
});

Deno.test("a strategy without a timestamp assigner over untimed records: the job fails, saying so", async () => {
  await assert.rejects(
    () => run("strategy-without-assigner", 2),
    (e: Error) => {
      assert.equal(e.name, "JobExecutionError");
      assert.match(e.message, /in operator 'Timestamps\/Watermarks'/);
      assert.match(e.message, /no timestamp assigner set/);
      assert.match(e.message, /\.withTimestampAssigner\(/);
      assert.doesNotMatch(e.message, /returned NaN/);
      return true;
    },
  );
});

Deno.test("an event-time window over untimed records: the job fails, saying what to call", async () => {
  await assert.rejects(
    () => run("window-untimed", 2),
    (e: Error) => {
      assert.equal(e.name, "JobExecutionError");
      assert.match(e.message, /in operator '(Local)?Window\(TumblingEventTimeWindows/);
      assert.match(
        e.message,
        /assignTimestampsAndWatermarks\(WatermarkStrategy\..*withTimestampAssigner/,
      );
      return true;
    },
  );
});

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
    // Input A's last watermark is 20, B's 22: the combined one passes 20 only once A has ended
    // (its end-of-input watermark), and never passes 22 before both have.
    for (const r of results) {
      const [bucket, wm] = [r[2] as number, r[4] as number];
      assert.ok(wm >= bucket + 9 && (wm === Infinity || wm <= 22), `fired at ${wm}: ${r}`);
    }
  });

  Deno.test(`an idle source partition does not hold the watermark back (parallelism ${p})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "spate-idle-" });
    try {
      const { results } = await run("idle", p, ["--marker", `${dir}/fired`]);
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
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`keyed connect: a KeyedCoProcessFunction joins sums and caps per key (parallelism ${p})`, async () => {
    const { results } = await run("keyed-connect", p);
    // [key, bucket, sum of input 1, cap of input 2 at the bucket's end, timestamp]
    assert.deepEqual(
      sorted(results),
      sorted([
        ["a", 0, 9, 5, 9],
        ["a", 10, 4, 300, 19],
        ["a", 20, 256, 300, 29],
        ["b", 0, 2, 100, 9],
        ["b", 10, 16, 100, 19],
        ["b", 30, 1024, 100, 39],
        ["c", 20, 576, null, 29], // c's cap starts at 30
      ]),
    );
  });

  Deno.test(`broadcast state: every keyed subtask applies the rule in force (parallelism ${p})`, async () => {
    const { results } = await run("broadcast-rules", p);
    // [verdict, key, ts, v, least value kept at ts, timestamp]
    assert.deepEqual(
      sorted(results),
      sorted([
        ["dropped", "a", 1, 1, 2, 1],
        ["kept", "b", 3, 2, 2, 3],
        ["kept", "a", 5, 8, 2, 5],
        ["kept", "a", 12, 4, 2, 12],
        ["dropped", "b", 15, 16, 100, 15],
        ["kept", "a", 21, 256, 0, 21],
        ["kept", "c", 22, 512, 0, 22],
        ["kept", "c", 25, 64, 0, 25],
        ["kept", "b", 38, 1024, 0, 38],
      ]),
    );
  });

  Deno.test(`interval join: pairs within [-3, 4) ms per key, at the later time (parallelism ${p})`, async () => {
    const { results } = await run("interval-join", p);
    // [key, left ts, right ts, ctx.timestamp(), timestamp downstream]
    assert.deepEqual(
      sorted(results),
      sorted([
        ["a", 1, 2, 2, 2],
        ["a", 5, 2, 5, 5], // -3: the lower bound is inclusive
        ["a", 12, 14, 14, 14],
        ["a", 21, 23, 23, 23],
        ["b", 3, 6, 6, 6], // not b@7: +4, the upper bound is exclusive
        ["b", 15, 17, 17, 17],
        ["c", 22, 24, 24, 24],
        ["c", 25, 24, 25, 25],
      ]),
    );
  });
}
