/** Heartbeats and reconnection with real processes: a frozen worker, a restarted master. */

import assert from "node:assert/strict";
import { jobPath, runCli, wordcount } from "../_helpers/cli.ts";
import { freePort, spawnSpate, startCluster, waitFor } from "../_helpers/cluster.ts";
import { readCounts } from "../_helpers/corpus.ts";
import { expectedKeyCounts } from "../_helpers/keyed_count.ts";

async function overview(url: string) {
  return await (await fetch(`${url}/api/v1/overview`)).json();
}

Deno.test("a frozen worker misses heartbeats: it is dropped, and the job restarts elsewhere", async () => {
  const cluster = await startCluster(2, 2, [
    "--heartbeat-interval",
    "200",
    "--heartbeat-timeout",
    // Well above a stall of a loaded machine: only the frozen worker may miss it.
    "5000",
  ]);
  const dir = await Deno.makeTempDir();
  try {
    const job = runCli([
      "run",
      jobPath("slow_count.ts"),
      "--master",
      cluster.url,
      "-p",
      "2",
      "--restart-strategy",
      "fixed-delay:3:100",
      "--",
      "--records",
      "40000",
      "--keys",
      "7",
      "--work-us",
      "50",
      "--output",
      `${dir}/out`,
    ]);
    let victim = "";
    await waitFor("the job to run", async () => {
      const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
      if (jobs.length === 0) return false;
      const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobs[0].id}`)).json();
      victim = d.vertices[0].subtasks[0].worker ?? "";
      return d.state === "RUNNING" && d.vertices[0].recordsIn > 500;
    });
    const frozen = cluster.workers.find((w) => w.stderr().includes(victim))!;
    frozen.kill("SIGSTOP"); // alive, connected, silent
    await waitFor(
      "the frozen worker to be dropped",
      async () => (await overview(cluster.url)).taskmanagers === 1,
    );
    frozen.kill("SIGCONT");
    // Dropped for its silence, and the only worker dropped.
    const lost = cluster.master.stderr().match(/worker \S+ \(\S+\) lost: .*/g) ?? [];
    assert.equal(lost.length, 1, lost.join("\n"));
    assert.match(lost[0], new RegExp(`\\(${victim}\\) lost: no heartbeat for \\d+ ms`));
    const res = await job;
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /RESTARTING/);
    const counts = await readCounts(`${dir}/out`);
    assert.deepEqual(counts, expectedKeyCounts(40_000, 7));
    // Thawed, the worker notices the silence, reconnects and registers again.
    await waitFor(
      "the thawed worker to register again",
      async () => (await overview(cluster.url)).taskmanagers === 2,
    );
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("workers reconnect after the master restarts", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = await Deno.makeTempDir({ prefix: "spate-restart-" });
  const startMaster = () =>
    spawnSpate(["master", "--port", String(port), "--blob-dir", `${dir}/blobs`]);
  let master = await startMaster();
  const worker = spawnSpate([
    "worker",
    "--master",
    url,
    "--slots",
    "2",
    "--work-dir",
    `${dir}/worker`,
  ]);
  try {
    await waitFor("the worker to register", async () => (await overview(url)).taskmanagers === 1);
    master.kill("SIGKILL");
    await master.child.status;
    master = await startMaster();
    await waitFor(
      "the worker to register with the new master",
      async () => (await overview(url)).taskmanagers === 1,
    );
    const input = new URL("../../examples/data/sample.txt", import.meta.url).pathname;
    const res = await runCli(
      wordcount(["--master", url, "-p", "2"], ["--input", input, "--top", "1"]),
    );
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /30 {2}the/);
  } finally {
    worker.kill();
    master.kill();
    await Promise.all([worker.child.status, master.child.status]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a master asked to stop exits promptly even with a frozen worker connected", async () => {
  const cluster = await startCluster(1, 1);
  try {
    cluster.workers[0].kill("SIGSTOP"); // its stream stays open, nobody answers
    const start = Date.now();
    cluster.master.kill("SIGTERM");
    const status = await cluster.master.child.status;
    const ms = Date.now() - start;
    assert.equal(status.code, 0, cluster.master.stderr());
    assert.ok(ms < 10_000, `the master took ${ms} ms to stop`);
  } finally {
    cluster.workers[0].kill("SIGCONT");
    await cluster.stop();
  }
});
