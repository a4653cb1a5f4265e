/**
 * The master's ingest proxy after a restart moves a reader to a new worker:
 * the proxy, which learns where readers run from the answers, must find the
 * new one while the surviving worker still answers, so both readers get
 * requests (not only the one it knew).
 * @module
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";

interface Subtask {
  state: string;
  worker?: string;
  metrics: { recordsIn: number };
}

/** The source vertex's subtasks once the job and both run, with a completed checkpoint. */
async function sourceSubtasks(url: string): Promise<Subtask[]> {
  let subtasks: Subtask[] = [];
  await waitFor("every subtask running", async () => {
    const d = await jobDetails(url);
    subtasks = d?.vertices?.[0]?.subtasks ?? [];
    return d?.state === "RUNNING" && subtasks.length === 2 &&
      subtasks.every((s) => s.state === "RUNNING") &&
      d.checkpoints.some((c: { status: string }) => c.status === "COMPLETED");
  }, 60_000);
  return subtasks;
}

/** POSTs one record at a time from `clients` clients until `done()`; returns the ids acknowledged. */
async function postUntil(url: string, from: number, clients: number, done: () => boolean) {
  let next = from;
  const acked: number[] = [];
  const client = async () => {
    while (!done()) {
      const id = next++;
      const ok = await fetch(`${url}/ingest/orders`, { method: "POST", body: `{"id":${id}}` })
        .then(async (res) => {
          await res.body?.cancel();
          return res.ok;
        }, () => false); // a connection dropped by the killed worker's restart: send more
      if (ok) acked.push(id);
      else await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return acked;
}

Deno.test({
  name: "HTTP ingest proxy: after a kill moves a reader to a new worker, both readers get requests",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // One slot per worker: the two readers run on different workers.
    const cluster = await startCluster(2, 1);
    const out = await Deno.makeTempDir({ prefix: "spate-ingest-proxy-" });
    try {
      const job = runCli([
        "run",
        jobPath("http_ingest.ts"),
        "--master",
        cluster.url,
        "-p",
        "2",
        "--checkpoint-interval",
        "200",
        "--checkpoint-dir",
        `${out}/checkpoints`,
        "--restart-strategy",
        "fixed-delay:10:200",
        "--",
        "--out",
        `${out}/files`,
      ]);
      const before = await sourceSubtasks(cluster.url);
      assert.notEqual(before[0].worker, before[1].worker);
      // The proxy learns both workers (it looks for readers it does not know once a second).
      const fromWorkers = async () =>
        (await sourceSubtasks(cluster.url)).every((s) => s.metrics.recordsIn > 0);
      let both = false;
      const firstPosts = postUntil(cluster.url, 0, 4, () => both);
      await waitFor("both readers served before the kill", fromWorkers, 30_000)
        .finally(() => both = true);
      const firstAcked = await firstPosts;
      assert.ok(firstAcked.length > 0);

      const victim = cluster.workers.find((p) => p.stderr().includes(before[0].worker!));
      assert.ok(victim, `no worker process for ${before[0].worker}`);
      victim.kill("SIGKILL");
      cluster.workers.splice(cluster.workers.indexOf(victim), 1);
      cluster.addWorker(1);
      await waitFor("the job restarted on the new worker", async () => {
        const now = await sourceSubtasks(cluster.url);
        return now.every((s) => s.worker !== before[0].worker);
      }, 60_000);
      const restarted = await sourceSubtasks(cluster.url);
      const baseline = restarted.map((s) => s.metrics.recordsIn);
      // The survivor keeps answering; the new worker's reader must get requests too.
      let served = false;
      const posting = postUntil(cluster.url, 1_000_000, 4, () => served);
      await waitFor("both readers served after the restart", async () => {
        const now = await sourceSubtasks(cluster.url);
        return now.every((s, i) => s.metrics.recordsIn > baseline[i]);
      }, 30_000).finally(() => served = true);
      assert.ok((await posting).length > 0);
      const d = await jobDetails(cluster.url);
      await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url]);
      await job;
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});
