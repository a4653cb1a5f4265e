/**
 * Exactly-once with real processes: a master and 3 workers run a keyed count
 * at parallelism 4 with checkpoints every 500 ms into the two-phase commit
 * file sink, while a worker is killed (-9) three times and replaced. The
 * committed lines must be exactly { "k,i" : 1 <= i <= events of key k }, with
 * aligned and with unaligned checkpoints; at-least-once must lose nothing.
 */

import assert from "node:assert/strict";
import { startCluster, type TestCluster } from "../_helpers/cluster.ts";
import { runWithKills } from "../_helpers/kills.ts";
import {
  committedLines,
  compareCounts,
  expectedCountLines,
  expectedKeyCounts,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";

const EVENTS = 120_000;
const KEYS = 500;
const RATE = 12_000; // events/s overall: the job runs ~10 s, long enough for three kills

/** Runs the job, killing a worker of the job three times; returns the run's stderr. */
async function runKeyedCountWithKills(
  cluster: TestCluster,
  out: string,
  mode: string,
): Promise<string> {
  const res = await runWithKills(
    cluster,
    keyedCountRun(cluster.url, [
      "-p",
      "4",
      "--checkpoint-interval",
      "500",
      "--checkpoint-mode",
      mode,
      "--checkpoint-dir",
      `${out}/checkpoints`,
      "--restart-strategy",
      "fixed-delay:10:200",
    ], { events: EVENTS, keys: KEYS, rate: RATE, out: `${out}/data` }),
  );
  return res.stderr;
}

for (const mode of ["exactly_once", "unaligned"]) {
  Deno.test(`${mode}: kill -9 a worker three times; the committed output has no loss and no duplicate`, async () => {
    const cluster = await startCluster(3, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-eo-" });
    try {
      await runKeyedCountWithKills(cluster, out, mode);
      const { missing, duplicated, unexpected } = compareCounts(
        await committedLines(`${out}/data`),
        expectedCountLines(EVENTS, KEYS),
      );
      assert.deepEqual(
        { missing: missing.length, duplicated, unexpected: unexpected.length },
        { missing: 0, duplicated: 0, unexpected: 0 },
        `missing ${missing.slice(0, 5)}, unexpected ${unexpected.slice(0, 5)}`,
      );
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true });
    }
  });
}

Deno.test("at-least-once: kill -9 a worker three times; nothing committed is lost", async () => {
  const cluster = await startCluster(3, 2);
  const out = await Deno.makeTempDir({ prefix: "spate-alo-" });
  try {
    const stderr = await runKeyedCountWithKills(cluster, out, "at_least_once");
    const lines = await committedLines(`${out}/data`);
    const { missing, duplicated, unexpected } = compareCounts(
      lines,
      expectedCountLines(EVENTS, KEYS),
    );
    assert.equal(missing.length, 0, `missing ${missing.slice(0, 5)}`);
    // A record is counted again only when an attempt replays it: once per
    // restart at most. So no line is committed more often than there were
    // attempts, and no key's count exceeds its total by more than a full
    // replay per restart.
    const restarts = stderr.match(/RESTARTING/g)?.length ?? 0;
    assert.ok(restarts >= 1, "the kills restarted the job");
    const totals = expectedKeyCounts(EVENTS, KEYS);
    for (const [line, n] of lines) {
      assert.ok(n <= 1 + restarts, `'${line}' committed ${n} times in ${1 + restarts} attempts`);
      const [key, count] = line.split(",");
      const total = totals.get(key);
      assert.ok(total !== undefined, `unknown key in '${line}'`);
      assert.ok(Number(count) <= total * (1 + restarts), `'${line}': past ${1 + restarts} replays`);
    }
    console.log(
      `at-least-once after 3 kills: ${duplicated + unexpected.length} extra line(s) of ` +
        `${EVENTS} (${duplicated} repeated, ${unexpected.length} counts past a key's total)`,
    );
  } finally {
    await cluster.stop();
    await Deno.remove(out, { recursive: true });
  }
});
