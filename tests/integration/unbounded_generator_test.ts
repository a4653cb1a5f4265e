/**
 * An unbounded generator on a real cluster (master and worker processes):
 * it holds its `recordsPerSecond` over its subtasks, and a savepoint of it
 * resumes at the same parallelism only; another is refused before the job is
 * deployed, naming the source and both parallelisms.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { type TestCluster, waitFor, withCluster } from "../_helpers/cluster.ts";
import { cancelJobWithSavepoint } from "../_helpers/savepoints.ts";

const RATE = 400;

interface Vertex {
  recordsIn: number;
  subtasks: { state: string }[];
}

async function details(cluster: TestCluster, jobId: string) {
  return await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json() as {
    state: string;
    vertices: Vertex[];
  };
}

/** Starts the job at `parallelism`; resolves with its id and run once every subtask runs. */
async function startJob(cluster: TestCluster, parallelism: number, extra: string[] = []) {
  const known = new Set(
    ((await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs as { id: string }[])
      .map((j) => j.id),
  );
  const run = runCli([
    "run",
    jobPath("unbounded_generator.ts"),
    "--master",
    cluster.url,
    "-p",
    String(parallelism),
    ...extra,
    "--",
    "--rate",
    String(RATE),
  ]);
  let jobId = "";
  await waitFor("the job's subtasks to run", async () => {
    const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
    jobId = jobs.find((j: { id: string }) => !known.has(j.id))?.id ?? "";
    if (jobId === "") return false;
    const d = await details(cluster, jobId);
    return d.vertices.every((v) => v.subtasks.every((s) => s.state === "RUNNING"));
  }, 30_000);
  return { jobId, run };
}

/**
 * Records the source emitted per second, between the first and the last
 * change of its reported count seen over at least `spanMs` (the count is
 * reported periodically, so the span runs from one report to another).
 */
async function measuredRate(cluster: TestCluster, jobId: string, spanMs: number) {
  const count = async () => (await details(cluster, jobId)).vertices[0].recordsIn;
  let first = { count: await count(), at: performance.now() };
  await waitFor("a first metrics report", async () => {
    const n = await count();
    if (n !== first.count) first = { count: n, at: performance.now() };
    return n === first.count && n > 0;
  });
  let last = first;
  await waitFor(`${spanMs} ms of metrics reports`, async () => {
    const n = await count();
    if (n !== last.count) last = { count: n, at: performance.now() };
    return last.at - first.at >= spanMs;
  }, spanMs * 4);
  return (last.count - first.count) * 1000 / (last.at - first.at);
}

Deno.test("an unbounded generator holds its rate, and resumes from a savepoint at its old parallelism only", async (t) => {
  await withCluster({ workers: 1, slots: 2, prefix: "spate-gen-" }, async (cluster, root) => {
    const { jobId, run } = await startJob(cluster, 2);
    await t.step(`${RATE} records/s over 2 subtasks`, async () => {
      const rate = await measuredRate(cluster, jobId, 3000);
      assert.ok(rate >= RATE / 2 && rate <= RATE * 2, `measured ${rate.toFixed(0)} records/s`);
    });
    const savepoint = await cancelJobWithSavepoint(cluster.url, jobId, `${root}/savepoint`);
    assert.match((await run).stderr, /CANCELED/);

    await t.step("at parallelism 1 it is refused before it runs", async () => {
      const res = await runCli([
        "run",
        jobPath("unbounded_generator.ts"),
        "--master",
        cluster.url,
        "-p",
        "1",
        "--from-savepoint",
        savepoint,
      ]);
      assert.equal(res.code, 1, res.stderr);
      assert.match(
        res.stderr,
        /source 'Source: Generator Source' \(uid 'generator'\) resumes only at the parallelism it was saved at: 2 in the savepoint, 1 in this job/,
      );
      assert.doesNotMatch(res.stderr, /RUNNING|RESTARTING/);
    });

    await t.step("at parallelism 2 it resumes", async () => {
      const resumed = await startJob(cluster, 2, ["--from-savepoint", savepoint]);
      const cancel = await runCli(["cancel", resumed.jobId, "--master", cluster.url]);
      assert.equal(cancel.code, 0, cancel.stderr);
      assert.match((await resumed.run).stderr, /CANCELED/);
    });
  });
});
