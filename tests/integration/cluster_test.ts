/**
 * A real cluster on loopback: a master and worker processes talking HTTP/2 +
 * CBOR; jobs submitted by the CLI as a separate process.
 */

import assert from "node:assert/strict";
import { jobPath, runCli, wordcount } from "../_helpers/cli.ts";
import {
  jobWorkers,
  latestJobDetails,
  startCluster,
  waitFor,
  withCluster,
} from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";
import { assertBackpressureAcrossWorkers } from "../_helpers/backpressure_run.ts";

Deno.test("master + 2 workers x 2 slots: WordCount at parallelism 4 equals the reference", async () => {
  await withCluster({ workers: 2, slots: 2, prefix: "spate-cluster-" }, async (cluster, dir) => {
    await Deno.mkdir(`${dir}/in`);
    await writeCorpus(`${dir}/in`, 2, 600_000, 11);
    let text = "";
    for (const e of Deno.readDirSync(`${dir}/in`)) {
      text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
    }
    const res = await runCli(
      wordcount(["--master", cluster.url, "-p", "4"], [
        "--input",
        `${dir}/in`,
        "--output",
        `${dir}/out`,
      ]),
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /FINISHED in [\d.]+ s on 4 slot/);
    assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));
    const details = await latestJobDetails(cluster.url);
    assert.equal(details.state, "FINISHED");
    assert.equal(jobWorkers(details).size, 2, "the job ran on both workers");
    // Each worker's managed memory (512 MiB by default) is split between its 2 slots.
    assert.equal(details.vertices[0].subtasks[0].managedMemoryBytes, 256 * 1024 * 1024);
  });
});

Deno.test("kill -9 of a worker during a job: the job restarts and finishes correctly", async () => {
  await withCluster({ workers: 3, slots: 2, prefix: "spate-kill-" }, async (cluster, dir) => {
    const records = 60_000, keys = 50;
    const client = runCli([
      "run",
      jobPath("slow_count.ts"),
      "--master",
      cluster.url,
      "-p",
      "4",
      "--restart-strategy",
      "fixed-delay:5:200",
      "--",
      "--records",
      String(records),
      "--keys",
      String(keys),
      "--work-us",
      "50",
      "--output",
      `${dir}/out`,
    ]);
    // Wait until the job runs and has made progress, then kill a worker it uses.
    let jobId = "";
    let victim = "";
    await waitFor("the job to process records", async () => {
      const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
      if (jobs.length === 0) return false;
      jobId = jobs[0].id;
      const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
      const busy = d.vertices.find((v: { name: string }) => v.name.includes("Busy"));
      victim = busy?.subtasks?.[0]?.worker ?? "";
      return d.state === "RUNNING" && busy.recordsIn > 1000;
    });
    const tms = (await (await fetch(`${cluster.url}/api/v1/taskmanagers`)).json()).taskmanagers;
    const index = tms.findIndex((t: { id: string }) => t.id === victim);
    assert.ok(index >= 0, "the victim is a registered worker");
    const byName = cluster.workers.find((w) => w.stderr().includes(victim))!;
    byName.kill("SIGKILL");

    const res = await client;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /RESTARTING/);
    const counts = await readCounts(`${dir}/out`);
    const expected = new Map<string, number>();
    for (let i = 0; i < records; i++) {
      const k = `k${(i * 7919) % keys}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    assert.deepEqual(counts, expected);
    // The master keeps serving, without the dead worker.
    await waitFor(
      "the dead worker to be dropped",
      async () => (await cluster.taskManagers()) === 2,
    );
    const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
    assert.equal(d.state, "FINISHED");
    assert.ok(d.attempt >= 1);
  });
});

Deno.test("--data-plane relay: a slow sink on one worker holds back the source on another", async () => {
  // The direct plane (the default) has its own test in direct_data_plane_test.ts.
  const cluster = await startCluster(2, 1, [], undefined, {
    workerArgs: ["--data-plane", "relay"],
  });
  try {
    await assertBackpressureAcrossWorkers(cluster);
  } finally {
    await cluster.stop();
  }
});
