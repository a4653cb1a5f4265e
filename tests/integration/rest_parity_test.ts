/**
 * The REST routes a Flink user scripts against, on a real cluster: plan,
 * exception history, vertex details, asynchronous savepoints, stop with
 * savepoint, a task manager's details, the master's settings, the OpenAPI
 * document.
 */

import assert from "node:assert/strict";
import { jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { keyedCountRun } from "../_helpers/keyed_count.ts";
import { runningJob } from "../_helpers/savepoints.ts";

let cluster: TestCluster;

async function get(path: string) {
  const res = await fetch(`${cluster.url}/api/v1${path}`);
  return { status: res.status, body: await res.json() };
}

async function post(path: string, body: unknown) {
  const res = await fetch(`${cluster.url}/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Polls a savepoint trigger until it completed; returns its final status. */
async function completed(jobId: string, triggerId: string) {
  let status: Record<string, unknown> = {};
  await waitFor(`trigger ${triggerId} to complete`, async () => {
    const r = await get(`/jobs/${jobId}/savepoints/${triggerId}`);
    assert.equal(r.status, 200);
    status = r.body;
    return status.status === "COMPLETED";
  }, 30_000);
  return status;
}

Deno.test("REST parity routes on a real cluster", async (t) => {
  cluster = await startCluster(2, 2, ["--heartbeat-interval", "500"]);
  const dir = await Deno.makeTempDir({ prefix: "spate-rest-parity-" });
  try {
    await t.step("exceptions: one entry per failed attempt, the latest as root", async () => {
      const res = await runCli([
        "run",
        jobPath("runtime_error.ts"),
        "--master",
        cluster.url,
        "--restart-strategy",
        "fixed-delay:1:100",
      ]);
      assert.equal(res.code, 1, res.stderr);
      const { jobs } = (await get("/jobs")).body;
      const jobId = jobs.find((j: { name: string }) => j.name === "runtime-error").id;
      const { status, body } = await get(`/jobs/${jobId}/exceptions`);
      assert.equal(status, 200);
      assert.equal(body.history.length, 2, JSON.stringify(body));
      assert.equal(body.truncated, false);
      assert.deepEqual(body.history.map((e: { attempt: number }) => e.attempt), [1, 0]);
      const workers = (await get("/taskmanagers")).body.taskmanagers.map((w: { id: string }) =>
        w.id
      );
      for (const e of body.history) {
        assert.equal(e.operator, "Explode");
        assert.equal(e.exception, "cannot handle record 77777");
        assert.match(e.stacktrace, /cannot handle record 77777\n\s+at /);
        assert.equal(typeof e.subtask, "number");
        assert.ok(workers.includes(e.worker), `${e.worker} is one of ${workers}`);
        assert.ok(e.timestamp > 0);
      }
      assert.deepEqual(body.rootException, body.history[0]);
      assert.equal((await get(`/jobs/${"0".repeat(32)}/exceptions`)).status, 404);
    });

    const out = `${dir}/out`;
    const job = spawnCli(keyedCountRun(cluster.url, ["-p", "2"], {
      events: 50_000_000,
      keys: 100,
      rate: 5_000,
      out,
    }));
    const jobId = await runningJob(cluster, 2_000);

    await t.step("plan: vertices with operators, edges with partitioners", async () => {
      const { status, body } = await get(`/jobs/${jobId}/plan`);
      assert.equal(status, 200);
      assert.equal(body.jid, jobId);
      assert.equal(body.name, "keyed count");
      assert.equal(body.vertices.length, 2, JSON.stringify(body.vertices));
      const [source, count] = body.vertices;
      assert.deepEqual(source.operators.map((o: { uid: string }) => o.uid), ["events"]);
      assert.deepEqual(count.operators.map((o: { uid: string }) => o.uid), [
        "count",
        "format",
        "files",
      ]);
      assert.equal(count.operators[0].name, count.name.split(" -> ")[0]);
      assert.deepEqual(body.vertices.map((v: { parallelism: number }) => v.parallelism), [2, 2]);
      assert.deepEqual(body.edges, [{
        source: source.id,
        target: count.id,
        partitioner: "hash",
        inputIndex: 0,
      }]);
    });

    await t.step("vertex details: subtasks with worker, records and backpressure", async () => {
      const plan = (await get(`/jobs/${jobId}/plan`)).body;
      const vid = plan.vertices[1].id;
      const { status, body } = await get(`/jobs/${jobId}/vertices/${vid}`);
      assert.equal(status, 200);
      assert.equal(body.id, vid);
      assert.equal(body.subtasks.length, 2);
      const names = (await get("/taskmanagers")).body.taskmanagers.map((w: { name: string }) =>
        w.name
      );
      for (const s of body.subtasks) {
        assert.equal(s.state, "RUNNING");
        assert.ok(names.includes(s.workerName), s.workerName);
        assert.match(s.host, /:\d+$/);
        assert.ok(s.backpressureRatio >= 0 && s.backpressureRatio <= 1);
        for (const k of ["recordsIn", "recordsOut", "bytesIn", "bytesOut", "backpressuredMs"]) {
          assert.equal(typeof s[k], "number", k);
        }
      }
      await waitFor("the counting vertex to read records", async () => {
        const b = (await get(`/jobs/${jobId}/vertices/${vid}`)).body;
        return b.subtasks.every((s: { recordsIn: number }) => s.recordsIn > 0);
      });
      assert.deepEqual(await get(`/jobs/${jobId}/vertices/999`), {
        status: 404,
        body: { errors: [`job ${jobId} has no vertex 999`] },
      });
    });

    await t.step("task manager details: the worker and the tasks in its slots", async () => {
      const workers = (await get("/taskmanagers")).body.taskmanagers;
      let tasks = 0;
      for (const w of workers) {
        const { status, body } = await get(`/taskmanagers/${w.id}`);
        assert.equal(status, 200);
        assert.equal(body.id, w.id);
        assert.equal(body.slotsTotal, 2);
        for (const task of body.tasks) {
          assert.equal(task.jobId, jobId);
          assert.equal(task.state, "RUNNING");
        }
        tasks += body.tasks.length;
      }
      assert.equal(tasks, 4, "2 vertices x parallelism 2");
      assert.deepEqual(await get("/taskmanagers/nope"), {
        status: 404,
        body: { errors: ["no task manager nope"] },
      });
    });

    await t.step("asynchronous savepoint: 202 with a request id, then COMPLETED", async () => {
      const started = await post(`/jobs/${jobId}/savepoints`, { targetDirectory: `${dir}/sp` });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const triggerId = started.body["request-id"];
      assert.match(triggerId, /^[0-9a-f]{32}$/);
      const status = await completed(jobId, triggerId);
      assert.match(String(status.location), new RegExp(`^${dir}/sp/savepoint-`));
      assert.ok(Deno.statSync(`${status.location}/_metadata`).isFile);
      assert.equal((await get(`/jobs/${jobId}/savepoints/nope`)).status, 404);
      assert.deepEqual(await post(`/jobs/${jobId}/savepoints`, { cancelJob: "yes" }), {
        status: 400,
        body: { errors: ["cancelJob must be a boolean"] },
      });
    });

    await t.step("stop: a savepoint, then the job ends FINISHED", async () => {
      const started = await post(`/jobs/${jobId}/stop`, { targetDirectory: `${dir}/stop` });
      assert.equal(started.status, 202, JSON.stringify(started.body));
      const status = await completed(jobId, started.body["request-id"]);
      assert.match(String(status.location), new RegExp(`^${dir}/stop/savepoint-`));
      const res = await job.child.status;
      await job.stderrClosed;
      assert.equal(res.code, 0, job.stderr());
      assert.match(job.stderr(), /FINISHED/);
      assert.equal((await get(`/jobs/${jobId}`)).body.state, "FINISHED");
      // An ended job: 409, as for cancel.
      const again = await post(`/jobs/${jobId}/stop`, { drain: true });
      assert.deepEqual(again, {
        status: 409,
        body: { errors: [`job ${jobId} is FINISHED: only a running job takes a savepoint`] },
      });
    });

    await t.step("config: the master's settings, flags marked, no secrets", async () => {
      const { status, body } = await get("/config");
      assert.equal(status, 200);
      const of = (key: string) => body.settings.find((s: { key: string }) => s.key === key);
      assert.deepEqual(of("heartbeatIntervalMs"), {
        key: "heartbeatIntervalMs",
        flag: "--heartbeat-interval",
        value: 500,
        source: "flag",
      });
      assert.equal(of("heartbeatTimeoutMs").source, "default");
      assert.equal(of("workerSlots"), undefined);
    });

    await t.step("openapi.json describes the routes just used", async () => {
      const { status, body } = await get("/openapi.json");
      assert.equal(status, 200);
      for (
        const path of [
          "/api/v1/jobs/{id}/plan",
          "/api/v1/jobs/{id}/exceptions",
          "/api/v1/jobs/{id}/vertices/{vid}",
          "/api/v1/jobs/{id}/stop",
          "/api/v1/jobs/{id}/savepoints/{triggerId}",
          "/api/v1/taskmanagers/{id}",
          "/api/v1/config",
        ]
      ) assert.ok(body.paths[path], path);
    });
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
