/**
 * Exactly-once with real processes: a master and 3 workers run a keyed count
 * at parallelism 4 with checkpoints every 500 ms into the two-phase commit
 * file sink, while a worker is killed (-9) three times and replaced. The
 * committed lines must be exactly { "k,i" : 1 <= i <= events of key k }, with
 * aligned and with unaligned checkpoints; at-least-once must lose nothing.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import {
  committedLines,
  compareCounts,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";

const EVENTS = 120_000;
const KEYS = 500;
const RATE = 12_000; // events/s overall: the job runs ~10 s, long enough for three kills

async function jobDetails(url: string) {
  const jobs = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs;
  if (jobs.length === 0) return undefined;
  return await (await fetch(`${url}/api/v1/jobs/${jobs[0].id}`)).json();
}

/** Runs the job, killing a worker of the job three times; returns the run's stderr. */
async function runWithKills(cluster: TestCluster, out: string, mode: string): Promise<string> {
  const job = runCli(keyedCountRun(cluster.url, [
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
  ], { events: EVENTS, keys: KEYS, rate: RATE, out: `${out}/data` }));
  for (let kill = 0; kill < 3; kill++) {
    // Kill only after a checkpoint completed in the current attempt, mid-run.
    let victim = "";
    await waitFor(`a completed checkpoint before kill ${kill + 1}`, async () => {
      const d = await jobDetails(cluster.url);
      if (d === undefined || d.state !== "RUNNING") return false;
      const completed = d.checkpoints.filter((c: { status: string }) => c.status === "COMPLETED");
      const workers = d.vertices.flatMap((v: { subtasks: { worker?: string }[] }) =>
        v.subtasks.map((s) => s.worker)
      ).filter((w: string | undefined) => w);
      if (completed.length < kill + 1 || workers.length === 0) return false;
      victim = workers[Math.floor(Math.random() * workers.length)];
      return d.vertices.every((v: { subtasks: { state: string }[] }) =>
        v.subtasks.every((s) => s.state === "RUNNING")
      );
    }, 60_000);
    const w = cluster.workers.find((p) => p.stderr().includes(victim));
    assert.ok(w, `no worker process for ${victim}`);
    w.kill("SIGKILL");
    cluster.workers.splice(cluster.workers.indexOf(w), 1);
    await w.child.status;
    cluster.addWorker(2);
  }
  const res = await job;
  assert.equal(res.code, 0, res.stderr);
  assert.equal((res.stderr.match(/RESTARTING/g) ?? []).length >= 3, true, res.stderr);
  return res.stderr;
}

for (const mode of ["exactly_once", "unaligned"]) {
  Deno.test(`${mode}: kill -9 a worker three times; the committed output has no loss and no duplicate`, async () => {
    const cluster = await startCluster(3, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-eo-" });
    try {
      await runWithKills(cluster, out, mode);
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
    await runWithKills(cluster, out, "at_least_once");
    const { missing, duplicated, unexpected } = compareCounts(
      await committedLines(`${out}/data`),
      expectedCountLines(EVENTS, KEYS),
    );
    assert.equal(missing.length, 0, `missing ${missing.slice(0, 5)}`);
    console.log(
      `at-least-once after 3 kills: ${duplicated + unexpected.length} extra line(s) of ` +
        `${EVENTS} (${duplicated} repeated, ${unexpected.length} counts past a key's total)`,
    );
  } finally {
    await cluster.stop();
    await Deno.remove(out, { recursive: true });
  }
});
