/**
 * MQTT -> keyed count -> PostgreSQL end to end, with real servers and real
 * processes (a mosquitto, a PostgreSQL, a master and 2 workers), the job of
 * tests/_jobs/mqtt_to_postgres.ts:
 * - 100,000 messages published with QoS 1 while a worker of the job is
 *   killed (-9): the table holds every (key, n) of the reference exactly once.
 *   MQTT delivers again what no completed checkpoint acknowledged (processed
 *   again: its first processing rolled back with the state) and what a
 *   completed checkpoint covered but whose PUBACK the kill stopped (dropped
 *   by the job's dedup by message id); the job records both kinds in a table
 *   of its own, whose figures the test reports.
 * - Credentials given through the environment and through job flags appear
 *   in no log line of the master, the workers or the client, also not when a
 *   wrong password fails the job at start.
 */

import assert from "node:assert/strict";
import mqtt from "mqtt";
import type postgres from "postgres";
import { type CliProcess, type CliResult, jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { type SpateProcess, startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";
import { mosquittoIgnored, startMosquitto } from "../_helpers/mosquitto.ts";
import { PG_PASSWORD, PG_USER, postgresIgnored, startPostgres } from "../_helpers/postgres.ts";

/** How long a job may take to start (bundle, schedule, first checkpoint) on a loaded machine. */
const JOB_START_DEADLINE_MS = 90_000;

const ignore = mosquittoIgnored("MQTT -> PostgreSQL tests") ||
  postgresIgnored("MQTT -> PostgreSQL tests");

const MESSAGES = 100_000;
const KEYS = 100;
const keyOf = (i: number) => `k${i % KEYS}`;
/** Messages a publisher has unacknowledged at once (its own flow control). */
const PUBLISH_WINDOW = 2_000;

/** Publishes messages `from` .. `to - 1` as {"id", "key"} with QoS 1 over 4 topics. */
async function publish(
  url: string,
  from: number,
  to: number,
  login: { username?: string; password?: string } = {},
): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    ...login,
  });
  for (let start = from; start < to; start += PUBLISH_WINDOW) {
    const sent: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(to, start + PUBLISH_WINDOW); i++) {
      const payload = JSON.stringify({ id: i, key: keyOf(i) });
      sent.push(client.publishAsync(`events/${i % 4}`, payload, { qos: 1 }));
    }
    await Promise.all(sent);
  }
  await client.endAsync();
}

async function createTables(sql: postgres.Sql): Promise<void> {
  await sql`CREATE TABLE counts (key text NOT NULL, n bigint NOT NULL)`;
  await sql`CREATE TABLE redeliveries (id bigint NOT NULL, dup_flag boolean NOT NULL, removed boolean NOT NULL)`;
}

function jobArgs(master: string, flags: string[], args: string[]): string[] {
  return [
    "run",
    jobPath("mqtt_to_postgres.ts"),
    "--master",
    master,
    "--mode",
    "streaming",
    ...flags,
    "--",
    "--topic",
    "events",
    "--table",
    "counts",
    "--dup-table",
    "redeliveries",
    ...args,
  ];
}

async function rowCount(sql: postgres.Sql): Promise<number> {
  const [r] = await sql`SELECT count(*)::int AS n FROM counts`;
  return r.n;
}

async function cancelJob(cluster: TestCluster): Promise<void> {
  const d = await jobDetails(cluster.url);
  const res = await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url]);
  assert.equal(res.code, 0, res.stderr);
}

/** Waits until `job` has a completed checkpoint; on a timeout, its output says why. */
async function waitForCompletedCheckpoint(url: string, job: CliProcess): Promise<void> {
  await waitFor("a completed checkpoint", async () => {
    const d = await jobDetails(url);
    return d?.state === "RUNNING" &&
      d.checkpoints.some((c: { status: string }) => c.status === "COMPLETED");
  }, JOB_START_DEADLINE_MS).catch((e: Error) => {
    throw new Error(`${e.message}; the job's stderr:\n${job.stderr().slice(-4000)}`);
  });
}

Deno.test({
  name:
    "MQTT -> keyed count -> PostgreSQL exactly-once: 100,000 messages, kill -9 a worker, the table equals the reference",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startMosquitto();
    await using pg = await startPostgres();
    const sql = pg.client();
    await createTables(sql);
    const cluster = await startCluster(2, 2, [], undefined, {
      workerEnv: { PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD },
    });
    const dir = await Deno.makeTempDir({ prefix: "spate-mqtt-pg-" });
    try {
      const started = performance.now();
      const job = spawnCli(jobArgs(cluster.url, [
        "-p",
        "2",
        "--checkpoint-interval",
        "300",
        "--checkpoint-dir",
        `${dir}/checkpoints`,
        "--restart-strategy",
        "fixed-delay:10:200",
      ], ["--broker", broker.url, "--pg-port", String(pg.port), "--client-id", "e2e"]));
      await waitForCompletedCheckpoint(cluster.url, job);
      const subscribed = performance.now();
      await publish(broker.url, 0, MESSAGES / 2);
      // The kill comes while the second half is being published and read.
      const secondHalf = publish(broker.url, MESSAGES / 2, MESSAGES);
      const d = await jobDetails(cluster.url);
      const victim = d.vertices[0].subtasks[0].worker as string;
      const w = cluster.workers.find((p) => p.stderr().includes(victim));
      assert.ok(w, `no worker process for ${victim}`);
      w.kill("SIGKILL");
      await w.child.status;
      const rowsAtKill = await rowCount(sql);
      cluster.workers.splice(cluster.workers.indexOf(w), 1);
      cluster.addWorker(2);
      await secondHalf;
      const published = performance.now();

      await waitFor(`${MESSAGES} rows`, async () => await rowCount(sql) >= MESSAGES, 60_000);
      const done = performance.now();
      await cancelJob(cluster);
      await job.child.status;
      await job.stderrClosed;
      const restarts = (job.stderr().match(/RESTARTING/g) ?? []).length;
      assert.ok(restarts >= 1, `the kill did not restart the job:\n${job.stderr()}`);
      assert.ok(rowsAtKill < MESSAGES, "the kill came after the job had written everything");

      // The table: (key, 1) .. (key, n_key) for every key, each row once.
      const [dups] = await sql`
        SELECT count(*)::int AS n FROM (SELECT key, n FROM counts GROUP BY key, n HAVING count(*) > 1) d`;
      assert.equal(dups.n, 0, "duplicated (key, n) rows");
      const rows =
        await sql`SELECT key, max(n)::int AS max, count(*)::int AS rows FROM counts GROUP BY key`;
      const want = new Map<string, [number, number]>();
      for (let k = 0; k < KEYS; k++) want.set(`k${k}`, [MESSAGES / KEYS, MESSAGES / KEYS]);
      assert.deepEqual(new Map(rows.map((r) => [r.key as string, [r.max, r.rows]])), want);
      assert.equal(await rowCount(sql), MESSAGES);
      assert.deepEqual([...await sql`SELECT gid FROM pg_prepared_xacts`], []);

      // What MQTT delivered twice and the dedup removed.
      const [again] = await sql`
        SELECT count(*) FILTER (WHERE removed)::int AS removed,
          count(*) FILTER (WHERE removed AND dup_flag)::int AS flagged,
          count(*) FILTER (WHERE NOT removed)::int AS replayed
        FROM redeliveries WHERE id >= 0 AND id < ${MESSAGES}`;
      const [all] = await sql`SELECT count(*)::int AS n FROM redeliveries`;
      assert.equal(all.n, again.removed + again.replayed, "ids that were never published");
      assert.ok(all.n > 0, "the kill made MQTT deliver nothing again");
      console.log(
        `MQTT -> PostgreSQL: ${MESSAGES} messages, ${restarts} restart(s), ${rowsAtKill} rows ` +
          `committed at the kill; MQTT delivered ${again.removed + again.replayed} message(s) ` +
          `again: ${again.replayed} whose first delivery rolled back with the state (counted ` +
          `once), ${again.removed} a completed checkpoint had counted already (${again.flagged} ` +
          `with the DUP flag), removed by the dedup; the table exact, 0 duplicates. ` +
          `Subscribed after ${((subscribed - started) / 1000).toFixed(1)} s, published in ` +
          `${((published - subscribed) / 1000).toFixed(1)} s, all rows committed ` +
          `${((done - published) / 1000).toFixed(1)} s later (machine shared, loaded)`,
      );
    } finally {
      await sql.end();
      await cluster.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

/** The secrets of the credentials test: right ones and wrong ones. */
const MQTT_USER = "alice";
const MQTT_SECRET = "mqttRightPw-7f3a91";
const MQTT_WRONG = "mqttWrongPw-55e1c0";
const PG_WRONG = "pgWrongPw-9b2d44";
const SECRETS = [MQTT_SECRET, MQTT_WRONG, PG_PASSWORD, PG_WRONG];

/** Fails naming the log and the line where a secret shows. */
function assertNoSecret(where: string, text: string): void {
  for (const line of text.split("\n")) {
    for (const secret of SECRETS) {
      assert.ok(!line.includes(secret), `${where} logged a password: ${line}`);
    }
  }
}

Deno.test({
  name:
    "credentials from the environment and from job flags appear in no log line, also when a wrong one fails the job",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startMosquitto({
      user: { name: MQTT_USER, password: MQTT_SECRET },
    });
    await using pg = await startPostgres();
    const sql = pg.client();
    await createTables(sql);
    // MQTT credentials from the workers' environment, the PostgreSQL password from a job flag.
    const debug = ["--log-level", "debug"];
    const cluster = await startCluster(2, 2, debug, undefined, {
      workerEnv: { SPATE_MQTT_USERNAME: MQTT_USER, SPATE_MQTT_PASSWORD: MQTT_SECRET },
      workerArgs: debug,
    });
    const workers: SpateProcess[] = [...cluster.workers];
    const runs: [string, CliResult][] = [];
    const flags = ["-p", "2", "--checkpoint-interval", "300", "--restart-strategy", "none"];
    const job = (pgPassword: string, extra: string[] = []) =>
      jobArgs(cluster.url, [...flags, ...debug], [
        "--broker",
        broker.url,
        "--pg-port",
        String(pg.port),
        "--pg-password",
        pgPassword,
        ...extra,
      ]);
    try {
      const good = spawnCli(job(PG_PASSWORD));
      await waitForCompletedCheckpoint(cluster.url, good);
      await publish(broker.url, 0, 2_000, { username: MQTT_USER, password: MQTT_SECRET });
      await waitFor("2000 rows", async () => await rowCount(sql) >= 2_000, 30_000);
      const d = await jobDetails(cluster.url);
      const id = d.jid ?? d.id;
      for (const route of ["", "/exceptions", "/checkpoints", "/plan"]) {
        const res = await fetch(`${cluster.url}/api/v1/jobs/${id}${route}`);
        assertNoSecret(`GET /api/v1/jobs/ID${route}`, await res.text());
      }
      await cancelJob(cluster);
      await good.child.status;
      await good.stderrClosed;
      runs.push(["the good run", { code: 0, stdout: "", stderr: good.stderr() }]);

      // A wrong MQTT password (job flags): the job fails at start, naming the user, not the password.
      const mqttWrong = await runCli(
        job(PG_PASSWORD, ["--mqtt-user", MQTT_USER, "--mqtt-password", MQTT_WRONG]),
      );
      runs.push(["the wrong MQTT password run", mqttWrong]);
      assert.notEqual(mqttWrong.code, 0, mqttWrong.stderr);
      assert.match(mqttWrong.stderr, /MQTT broker mqtt:\S+ refused the login of user 'alice'/);
      // A wrong PostgreSQL password (job flag).
      const pgWrong = await runCli(job(PG_WRONG));
      runs.push(["the wrong PostgreSQL password run", pgWrong]);
      assert.notEqual(pgWrong.code, 0, pgWrong.stderr);
      assert.match(pgWrong.stderr, /authentication failed \(wrong password\?\)/);
      assert.match(pgWrong.stderr, new RegExp(`spate@127\\.0\\.0\\.1:${pg.port}/postgres`));

      // The failures reached the master's log: its lines were there to check.
      await waitFor(
        "the failures in the master's log",
        () =>
          /refused the login/.test(cluster.master.stderr()) &&
          /authentication failed/.test(cluster.master.stderr()),
        10_000,
      );
      assertNoSecret("the master", cluster.master.stderr());
      for (const [i, w] of workers.entries()) assertNoSecret(`worker ${i}`, w.stderr());
      for (const [what, res] of runs) assertNoSecret(what, res.stdout + res.stderr);
      const lines = [cluster.master, ...workers].reduce(
        (n, p) => n + p.stderr().split("\n").length,
        0,
      );
      console.log(
        `credentials: ${lines} log lines of the master and workers (debug level), ` +
          `${runs.length} runs' output, none with a password`,
      );
    } finally {
      await sql.end();
      await cluster.stop();
    }
  },
});
