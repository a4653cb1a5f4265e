/**
 * HTTP ingest on real processes: a master and two workers, the job's ingest
 * source at parallelism 2 with checkpoints, clients POSTing to the master
 * (which forwards to the workers), a worker killed (-9) mid-run. Every
 * acknowledged record must be in the exactly-once file sink's output.
 * @module
 */

import assert from "node:assert/strict";
import { jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { freePort, startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";
import { committedLines } from "../_helpers/keyed_count.ts";
import { runIngestLoad } from "../_helpers/ingest_clients.ts";
import { makeTestCerts, startTlsCluster } from "../_helpers/tls_cluster.ts";

const RECORDS = 50_000;
const CLIENTS = 16;
const BATCH = 50;
const MAX_BODY_BYTES = 64 * 1024;
/** A batch is acknowledged when a checkpoint completes: the interval paces each client. */
const CHECKPOINT_INTERVAL_MS = 150;

function startJob(cluster: TestCluster, out: string, cliFlags: string[] = []) {
  return runCli([
    "run",
    jobPath("http_ingest.ts"),
    "--master",
    cluster.url,
    ...cliFlags,
    "--mode",
    "streaming",
    "-p",
    "2",
    "--checkpoint-interval",
    String(CHECKPOINT_INTERVAL_MS),
    "--checkpoint-dir",
    `${out}/checkpoints`,
    "--restart-strategy",
    "fixed-delay:10:200",
    "--",
    "--out",
    `${out}/files`,
    "--max-body-bytes",
    String(MAX_BODY_BYTES),
  ]);
}

/** Waits until the job runs, every subtask too, and a checkpoint completed; returns its details. */
async function runningWithCheckpoint(url: string, headers: Record<string, string> = {}) {
  // deno-lint-ignore no-explicit-any
  let details: any;
  await waitFor("the job running with a completed checkpoint", async () => {
    const jobs = (await (await fetch(`${url}/api/v1/jobs`, { headers })).json()).jobs;
    details = await (await fetch(`${url}/api/v1/jobs/${jobs[0].id}`, { headers })).json();
    return details?.state === "RUNNING" &&
      details.vertices.every((v: { subtasks: { state: string }[] }) =>
        v.subtasks.every((s) => s.state === "RUNNING")
      ) &&
      details.checkpoints.some((c: { status: string }) => c.status === "COMPLETED");
  }, 60_000);
  return details;
}

async function cancel(cluster: TestCluster, job: ReturnType<typeof startJob>) {
  const d = await jobDetails(cluster.url);
  await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url]);
  return await job;
}

Deno.test({
  name: "HTTP ingest: 50,000 records POSTed through the master with a worker killed (-9): " +
    "every acknowledged record is in the output",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cluster = await startCluster(2, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-ingest-" });
    try {
      const job = startJob(cluster, out);
      const d = await runningWithCheckpoint(cluster.url);
      const victimId = d.vertices[0].subtasks[0].worker as string;
      let killed = false;
      let ackedAtKill = 0;
      const kill = () => {
        const w = cluster.workers.find((p) => p.stderr().includes(victimId));
        assert.ok(w, `no worker process for ${victimId}`);
        w.kill("SIGKILL");
        cluster.workers.splice(cluster.workers.indexOf(w), 1);
        cluster.addWorker(2);
      };
      const started = performance.now();
      const load = await runIngestLoad(
        `${cluster.url}/ingest/orders`,
        RECORDS,
        CLIENTS,
        BATCH,
        (l) => {
          // The kill comes once 30% of the records are acknowledged: mid-run.
          if (!killed && l.acked.size >= RECORDS * 0.3) {
            killed = true;
            ackedAtKill = l.acked.size;
            kill();
          }
        },
      );
      const seconds = (performance.now() - started) / 1000;
      assert.ok(killed, "the load ended before the kill");
      assert.equal(load.acked.size, RECORDS);

      // Acknowledged means in a completed checkpoint: the sink commits its files with that
      // checkpoint's completion (or, after a failure, at restore), so the output holds them.
      let lines = new Map<string, number>();
      let missing: number[] = [];
      await waitFor("every acknowledged id in the committed output", async () => {
        lines = await committedLines(`${out}/files`);
        missing = [...load.acked].filter((id) => !lines.has(String(id)));
        return missing.length === 0;
      }, 30_000).catch(() => {});
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged ids missing`);
      let duplicates = 0;
      for (const n of lines.values()) duplicates += n - 1;
      const unexpected = [...lines.keys()].filter((l) => !(Number(l) >= 0 && Number(l) < RECORDS));
      assert.deepEqual(unexpected, []);
      // A duplicate comes only from a batch sent again: never more than those records.
      assert.ok(
        duplicates <= load.retriedRecords,
        `${duplicates} duplicates > ${load.retriedRecords} records sent again`,
      );
      const res = await cancel(cluster, job);
      const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
      assert.ok(restarts >= 1, `the kill did not restart the job:\n${res.stderr}`);
      console.log(
        `HTTP ingest: ${RECORDS} records in ${load.posts} POSTs from ${CLIENTS} clients ` +
          `(${BATCH}/batch) in ${seconds.toFixed(1)} s, kill at ${ackedAtKill} acknowledged, ` +
          `${restarts} restart(s); failed attempts ${
            JSON.stringify(Object.fromEntries(load.failures))
          }, ` +
          `${load.retriedRecords} records sent again, ${duplicates} duplicates in the output, 0 missing`,
      );
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "HTTP ingest bad input through the master: unknown name 404, bad line 400, big body 413",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cluster = await startCluster(1, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-ingest-" });
    try {
      const job = startJob(cluster, out);
      await runningWithCheckpoint(cluster.url);
      const post = (name: string, body: string) =>
        fetch(`${cluster.url}/ingest/${name}`, { method: "POST", body });
      const unknown = await post("nope", '{"id":1}');
      assert.equal(unknown.status, 404);
      assert.match((await unknown.json()).errors[0], /no ingest source 'nope' runs on any/);
      const badLine = await post("orders", '{"id":1}\n{"id":2\n');
      assert.equal(badLine.status, 400);
      assert.match((await badLine.json()).errors[0], /^line 2: not JSON/);
      const badRecord = await post("orders", '{"id":1}\n{"name":"x"}');
      assert.equal(badRecord.status, 400);
      assert.match((await badRecord.json()).errors[0], /line 2: .*needs a numeric id/);
      const big = await post("orders", `{"id":1,"pad":"${"x".repeat(MAX_BODY_BYTES)}"}`);
      assert.equal(big.status, 413);
      assert.match((await big.json()).errors[0], /exceeds 65536 bytes/);
      const ok = await post("orders", '{"id":7}\n{"id":8}');
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { records: 2 });
      await waitFor(
        "the acknowledged records committed",
        async () => [...(await committedLines(`${out}/files`)).keys()].sort().join() === "7,8",
      );
      await cancel(cluster, job);
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

const VIEWER = "viewer-token-0c5e7b2d";
const OPERATOR = "operator-token-4a9f1e63";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

Deno.test({
  name: "HTTP ingest on a cluster with a secret and tokens: operator through the master only",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-ingest-auth-" });
    await Deno.writeTextFile(`${dir}/secret`, "ingest-cluster-secret-7d2c9a4e1b\n");
    await Deno.writeTextFile(`${dir}/tokens`, `${VIEWER} viewer\n${OPERATOR} operator\n`);
    const cluster = await startCluster(
      1,
      2,
      ["--cluster-secret-file", `${dir}/secret`, "--auth-tokens", `${dir}/tokens`],
      undefined,
      { workerArgs: ["--cluster-secret-file", `${dir}/secret`], restHeaders: bearer(VIEWER) },
    );
    try {
      const job = startJob(cluster, dir, ["--token", OPERATOR]);
      await runningWithCheckpoint(cluster.url, bearer(VIEWER));
      const post = (url: string, headers: Record<string, string> = {}) =>
        fetch(url, { method: "POST", body: '{"id":1}', headers });
      const anonymous = await post(`${cluster.url}/ingest/orders`);
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const viewer = await post(`${cluster.url}/ingest/orders`, bearer(VIEWER));
      assert.equal(viewer.status, 403);
      assert.match((await viewer.json()).errors[0], /needs role operator/);
      const operator = await post(`${cluster.url}/ingest/orders`, bearer(OPERATOR));
      assert.equal(operator.status, 200, await operator.clone().text());
      assert.deepEqual(await operator.json(), { records: 1 });
      // A worker takes ingest requests only with a proof of the cluster secret (the master's).
      const tms = await (await fetch(`${cluster.url}/api/v1/taskmanagers`, {
        headers: bearer(VIEWER),
      })).json();
      const direct = await post(`${tms.taskmanagers[0].dataAddress}/ingest/orders`);
      assert.equal(direct.status, 401);
      assert.match((await direct.json()).errors[0], /no proof of the cluster secret/);
      const d = await runningWithCheckpoint(cluster.url, bearer(VIEWER));
      await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url, "--token", OPERATOR]);
      await job;
    } finally {
      await cluster.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "examples/http_ingest.ts: a batch sent twice is counted once (order id as idempotency key)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const cluster = await startCluster(1, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-ingest-example-" });
    try {
      const job = runCli([
        "run",
        "examples/http_ingest.ts",
        "--master",
        cluster.url,
        "--checkpoint-interval",
        "200",
        "--checkpoint-dir",
        `${out}/checkpoints`,
        "--",
        "--out",
        `${out}/totals`,
      ]);
      await runningWithCheckpoint(cluster.url);
      const batch = [
        { orderId: "o-1", customer: "c1", amount: 10 },
        { orderId: "o-2", customer: "c1", amount: 5 },
        { orderId: "o-3", customer: "c2", amount: 7 },
      ];
      // The same batch twice, as a client that got no answer sends it again.
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${cluster.url}/ingest/orders`, {
          method: "POST",
          body: JSON.stringify(batch),
          headers: { "content-type": "application/json" },
        });
        assert.equal(res.status, 200);
        assert.deepEqual(await res.json(), { records: 3 });
      }
      const bad = await fetch(`${cluster.url}/ingest/orders`, {
        method: "POST",
        body: '{"orderId":"o-4","customer":"c1","amount":1}\n{"orderId":"o-5"}\n',
      });
      assert.equal(bad.status, 400);
      assert.match((await bad.json()).errors[0], /line 2: .*an order needs orderId/);
      await waitFor("the totals committed", async () => {
        const lines = await committedLines(`${out}/totals`);
        return lines.has("c1,15") && lines.has("c2,7");
      });
      const lines = await committedLines(`${out}/totals`);
      assert.deepEqual([...lines.keys()].sort(), ["c1,10", "c1,15", "c2,7"]);
      await cancel(cluster, job);
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test("HTTP ingest in --local mode fails the job at start, saying it needs a cluster", async () => {
  const out = await Deno.makeTempDir({ prefix: "spate-ingest-local-" });
  try {
    const res = await runCli([
      "run",
      jobPath("http_ingest.ts"),
      "--local",
      "--",
      "--out",
      `${out}/files`,
    ]);
    assert.equal(res.code, 1, res.stderr);
    assert.match(
      res.stderr,
      /HttpIngestSource 'orders': worker .* serves no HTTP ingest: run the job on a served cluster/,
    );
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "HTTP ingest on a TLS cluster: the master forwards over https to the worker",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-ingest-tls-" });
    const certs = await makeTestCerts(`${dir}/certs`);
    const cluster = await startTlsCluster(certs, 1, 2);
    const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certs.ca)] });
    try {
      const job = runCli([
        "run",
        jobPath("http_ingest.ts"),
        "--master",
        cluster.url,
        "--tls-ca",
        certs.ca,
        "--checkpoint-interval",
        "200",
        "--checkpoint-dir",
        `${dir}/checkpoints`,
        "--",
        "--out",
        `${dir}/files`,
      ]);
      let jobId = "";
      await waitFor("the job running with a completed checkpoint", async () => {
        const jobs = (await cluster.rest("/api/v1/jobs")).jobs as { id: string }[];
        jobId = jobs[0].id;
        const d = await cluster.rest(`/api/v1/jobs/${jobId}`);
        return d.state === "RUNNING" &&
          (d.checkpoints as { status: string }[]).some((c) => c.status === "COMPLETED");
      }, 60_000);
      const res = await fetch(`${cluster.url}/ingest/orders`, {
        method: "POST",
        body: '{"id":1}\n{"id":2}\n{"id":3}',
        client,
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { records: 3 });
      await runCli(["cancel", jobId, "--master", cluster.url, "--tls-ca", certs.ca]);
      await job;
    } finally {
      client.close();
      await cluster.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "HTTP ingest on `spate local`: the in-process workers' readers answer on its port",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    const out = await Deno.makeTempDir({ prefix: "spate-ingest-local-cluster-" });
    const local = spawnCli(["local", "--port", `${port}`, "--workers", "2", "--slots", "1"]);
    try {
      await waitFor("the local cluster to listen", () => local.stderr().includes("listening on"));
      const job = startJob({ url } as TestCluster, out);
      await runningWithCheckpoint(url);
      const res = await fetch(`${url}/ingest/orders`, {
        method: "POST",
        body: '[{"id":5},{"id":6}]',
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.deepEqual(await res.json(), { records: 2 });
      await waitFor(
        "the acknowledged records committed",
        async () => [...(await committedLines(`${out}/files`)).keys()].sort().join() === "5,6",
      );
      const unknown = await fetch(`${url}/ingest/nope`, { method: "POST", body: "{}" });
      assert.equal(unknown.status, 404);
      assert.match(
        (await unknown.json()).errors[0],
        /no ingest source 'nope' runs on any of the 2 worker/,
      );
      await cancel({ url } as TestCluster, job);
    } finally {
      try {
        local.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await local.child.status;
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});
