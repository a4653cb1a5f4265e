/**
 * Savepoints with real processes: a keyed count runs at parallelism 2, is
 * cancelled with a savepoint mid-run, and resumes from it at parallelism 4
 * and at 1 (key groups and source ranges redistributed; the resume at 1 on the
 * disk state backend); the committed output
 * equals that of an uninterrupted run. State that matches no operator uid is
 * refused unless --allow-non-restored-state.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import {
  committedLines,
  compareCounts,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";

const EVENTS = 60_000;
const KEYS = 300;

/** Runs the job at parallelism 2 and cancels it with a savepoint mid-run; returns its directory. */
async function cancelWithSavepoint(cluster: TestCluster, out: string, dir: string) {
  const job = runCli(
    keyedCountRun(cluster.url, ["-p", "2"], { events: EVENTS, keys: KEYS, rate: 15_000, out }),
  );
  let jobId = "";
  await waitFor("the job to be a third through", async () => {
    const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
    const running = jobs.find((j: { state: string }) => j.state === "RUNNING");
    if (running === undefined) return false;
    jobId = running.id;
    const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
    const all = d.vertices.every((v: { subtasks: { state: string }[] }) =>
      v.subtasks.every((s) => s.state === "RUNNING")
    );
    return all && d.vertices[0].recordsOut > EVENTS / 3;
  }, 30_000);
  const sp = await runCli([
    "cancel",
    jobId,
    "--master",
    cluster.url,
    "--with-savepoint",
    "--dir",
    dir,
  ]);
  assert.equal(sp.code, 0, sp.stderr);
  const location = sp.stdout.match(/Savepoint completed: (\S+)/)?.[1];
  assert.equal(location, dir);
  const res = await job;
  assert.match(res.stderr, /CANCELED/);
  return location!;
}

Deno.test("savepoint at parallelism 2, resumed at 4 and at 1: output equals the uninterrupted run", async () => {
  const cluster = await startCluster(2, 2);
  const root = await Deno.makeTempDir({ prefix: "spate-sp-" });
  try {
    for (const p of [4, 1]) {
      const out = `${root}/out-${p}`;
      const savepoint = await cancelWithSavepoint(cluster, out, `${root}/savepoint-${p}`);
      const before = [...(await committedLines(out)).values()].reduce((a, b) => a + b, 0);
      assert.ok(before > 0 && before < EVENTS, `committed before the resume: ${before}`);
      const res = await runCli(keyedCountRun(cluster.url, [
        "-p",
        String(p),
        "--from-savepoint",
        savepoint,
        // Snapshots are backend-independent: the resume at 1 keeps its state on disk.
        ...(p === 1 ? ["--state-backend", "disk"] : []),
      ], { events: EVENTS, keys: KEYS, out }));
      assert.equal(res.code, 0, res.stderr);
      const diff = compareCounts(await committedLines(out), expectedCountLines(EVENTS, KEYS));
      assert.deepEqual(
        { missing: diff.missing.length, duplicated: diff.duplicated, unexpected: diff.unexpected },
        { missing: 0, duplicated: 0, unexpected: [] },
        `parallelism ${p}`,
      );
    }
  } finally {
    await cluster.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a savepoint whose state matches no operator is refused unless --allow-non-restored-state", async () => {
  const cluster = await startCluster(1, 2);
  const root = await Deno.makeTempDir({ prefix: "spate-sp-" });
  try {
    const savepoint = await cancelWithSavepoint(cluster, `${root}/out`, `${root}/savepoint`);
    const other = (extra: string[]) =>
      runCli([
        "run",
        jobPath("slow_count.ts"),
        "--master",
        cluster.url,
        "--mode",
        "streaming",
        "--from-savepoint",
        savepoint,
        ...extra,
        "--",
        "--records",
        "1000",
        "--work-us",
        "0",
        "--output",
        `${root}/other`,
      ]);
    const refused = await other([]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /match no operator of this job/);
    assert.match(refused.stderr, /'count'/);
    assert.match(refused.stderr, /--allow-non-restored-state/);
    const allowed = await other(["--allow-non-restored-state"]);
    assert.equal(allowed.code, 0, allowed.stderr);
  } finally {
    await cluster.stop();
    await Deno.remove(root, { recursive: true });
  }
});
