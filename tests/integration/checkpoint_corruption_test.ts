/**
 * A corrupt checkpoint is detected, reported and skipped: a worker is killed,
 * and while the job waits to restart, the state files of every retained
 * checkpoint but the oldest are truncated. The job must restart from the
 * oldest one, say so, and still lose nothing.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import {
  committedLines,
  compareCounts,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";

const EVENTS = 60_000;
const KEYS = 200;

async function completedCheckpoints(jobDir: string): Promise<number[]> {
  const ids: number[] = [];
  for await (const e of Deno.readDir(jobDir)) {
    const m = e.name.match(/^chk-(\d+)$/);
    if (!m) continue;
    const ok = await Deno.stat(`${jobDir}/${e.name}/_metadata`).then(() => true, () => false);
    if (ok) ids.push(Number(m[1]));
  }
  return ids.sort((a, b) => a - b);
}

Deno.test("a truncated checkpoint is reported and skipped for the previous one; nothing is lost", async () => {
  // One slot a worker, the job at parallelism 2: with a worker killed the
  // restart cannot be scheduled until the test adds one. That gate, not a
  // restart delay, holds the job while the checkpoints are corrupted.
  const cluster = await startCluster(2, 1);
  const out = await Deno.makeTempDir({ prefix: "spate-corrupt-" });
  try {
    const job = runCli(keyedCountRun(cluster.url, [
      "-p",
      "2",
      "--checkpoint-interval",
      "400",
      "--checkpoint-dir",
      `${out}/checkpoints`,
      "--retained-checkpoints",
      "3",
      "--restart-strategy",
      "fixed-delay:3:100",
      "--slot-timeout",
      "120000",
    ], { events: EVENTS, keys: KEYS, rate: 8000, out: `${out}/data` }));
    let jobId = "", victim = "";
    await waitFor("three retained checkpoints", async () => {
      const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
      if (jobs.length === 0) return false;
      jobId = jobs[0].id;
      const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
      victim = d.vertices[0].subtasks[0].worker ?? "";
      const dir = `${out}/checkpoints/${jobId}`;
      return d.state === "RUNNING" &&
        (await completedCheckpoints(dir).catch(() => [])).length === 3;
    }, 30_000);
    const w = cluster.workers.find((p) => p.stderr().includes(victim))!;
    w.kill("SIGKILL");
    await w.child.status;
    const state = async () =>
      (await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json()).state as string;
    // Once the master saw the failure no checkpoint completes until the restart.
    await waitFor("the job to see the failure", async () => await state() !== "RUNNING");
    // The restart waits for a slot: corrupt every retained checkpoint but the oldest meanwhile.
    const dir = `${out}/checkpoints/${jobId}`;
    const ids = await completedCheckpoints(dir);
    const [oldest, ...newer] = ids;
    for (const id of newer) {
      for await (const e of Deno.readDir(`${dir}/chk-${id}`)) {
        if (!e.name.endsWith(".state")) continue;
        const path = `${dir}/chk-${id}/${e.name}`;
        await Deno.truncate(path, (await Deno.stat(path)).size - 7);
      }
    }
    assert.notEqual(await state(), "RUNNING", "the restart waited for the slot (the gate held)");
    cluster.addWorker(1);
    const res = await job;
    assert.equal(res.code, 0, res.stderr);
    for (const id of newer) {
      assert.match(res.stderr, new RegExp(`checkpoint ${id} is corrupt and skipped: .*truncated`));
    }
    assert.doesNotMatch(res.stderr, new RegExp(`checkpoint ${oldest} is corrupt`));
    // Restored from an older checkpoint than the newest committed one: at least once.
    const { missing, unexpected } = compareCounts(
      await committedLines(`${out}/data`),
      expectedCountLines(EVENTS, KEYS),
    );
    assert.deepEqual({ missing: missing.length, unexpected }, { missing: 0, unexpected: [] });
  } finally {
    await cluster.stop();
    await Deno.remove(out, { recursive: true });
  }
});
