/**
 * A PostgreSQL server that freezes mid-job (SIGSTOP to the postmaster and
 * every backend: connections stay open, nothing answers), on a master and 2
 * workers running the exactly-once keyed count of tests/_jobs/postgres_jobs.ts:
 * the sink's statement timeout fails the task instead of waiting for ever,
 * reconnecting fails within the connect timeout while the server stays
 * frozen, and when it thaws the job restarts, finishes and the table holds
 * every count exactly once. The split source's page queries time out the
 * same way, and the copy it makes after the thaw is exact.
 * (tests/integration/postgres_test.ts covers a server that stops and starts again.)
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";
import { PG_ENV, postgresIgnored, postgresJobArgs, startPostgres } from "../_helpers/postgres.ts";

/** How long a job may take to start (bundle, schedule, first checkpoint) on a loaded machine. */
const JOB_START_DEADLINE_MS = 90_000;

const ignore = postgresIgnored("PostgreSQL outage tests");

const EVENTS = 30_000;
const SOURCE_ROWS = 50_000;
const KEYS = 200;
const RATE = 6_000;

/** Parallelism 2, checkpoints every 400 ms under `dir`, quick restarts. */
const runFlags = (dir: string) => [
  "-p",
  "2",
  "--checkpoint-interval",
  "400",
  "--checkpoint-dir",
  `${dir}/checkpoints`,
  "--restart-strategy",
  "fixed-delay:100:300",
];

Deno.test({
  name:
    "exactly-once sink: a frozen server fails the task within the statement timeout; after it thaws the table is exact",
  ignore,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    await sql`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
    await sql.end();
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const dir = await Deno.makeTempDir({ prefix: "spate-pg-freeze-" });
    try {
      const job = runCli(postgresJobArgs(cluster.url, pg.port, [
        "--job",
        "count-eo",
        "--table",
        "eo_counts",
        "--events",
        String(EVENTS),
        "--keys",
        String(KEYS),
        "--rate",
        String(RATE),
        "--statement-timeout-s",
        "2",
        "--connect-timeout-s",
        "2",
      ], runFlags(dir)));
      let jobId = "";
      await waitFor("a completed checkpoint", async () => {
        const d = await jobDetails(cluster.url);
        jobId = d?.jid ?? "";
        return d?.checkpoints.some((c: { status: string }) => c.status === "COMPLETED") ?? false;
      }, JOB_START_DEADLINE_MS);
      pg.pause();
      const frozen = performance.now();
      const exceptions = async () =>
        await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}/exceptions`)).text();
      await waitFor(
        "the sink to time out on the frozen server",
        async () => (await exceptions()).includes("no answer within 2 s (statementTimeoutSeconds)"),
        30_000,
      );
      const detected = performance.now() - frozen;
      await waitFor(
        "a reconnect to time out",
        async () => (await exceptions()).includes("connection attempt timed out"),
        30_000,
      );
      pg.resume();
      const res = await job;
      assert.equal(res.code, 0, res.stderr);
      const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
      const check = pg.client();
      try {
        const [r] = await check`
          SELECT count(*)::int AS rows, count(DISTINCT (key, n))::int AS distinct_rows FROM eo_counts`;
        assert.deepEqual({ ...r }, { rows: EVENTS, distinct_rows: EVENTS });
        assert.deepEqual([...await check`SELECT gid FROM pg_prepared_xacts`], []);
      } finally {
        await check.end();
      }
      console.log(
        `frozen PostgreSQL: the task failed ${(detected / 1000).toFixed(1)} s after the freeze ` +
          `(statement timeout 2 s), ${restarts} restart(s), ${EVENTS} rows exactly once after the thaw`,
      );
    } finally {
      await cluster.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "split source: a frozen server fails the reader within the statement timeout; the copy is exact",
  ignore,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    await sql`CREATE TABLE src (id int PRIMARY KEY, v text NOT NULL)`;
    await sql`INSERT INTO src SELECT i, 'v' || i FROM generate_series(1, ${SOURCE_ROWS}) i`;
    await sql`CREATE TABLE dst (id int NOT NULL, v text NOT NULL)`;
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const dir = await Deno.makeTempDir({ prefix: "spate-pg-src-freeze-" });
    try {
      const job = runCli(postgresJobArgs(cluster.url, pg.port, [
        "--job",
        "copy",
        "--from",
        "src",
        "--table",
        "dst",
        "--rows",
        String(SOURCE_ROWS),
        "--fetch",
        "20", // small pages: the copy takes a few seconds
        "--statement-timeout-s",
        "2",
        "--connect-timeout-s",
        "2",
      ], runFlags(dir)));
      let jobId = "";
      await waitFor("a completed checkpoint", async () => {
        const d = await jobDetails(cluster.url);
        jobId = d?.jid ?? "";
        return d?.checkpoints.some((c: { status: string }) => c.status === "COMPLETED") ?? false;
      }, JOB_START_DEADLINE_MS);
      pg.pause();
      await waitFor(
        "a reader to time out on the frozen server",
        async () => {
          const text = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}/exceptions`)).text();
          return /PostgresSource: reading split [^"]*no answer within 2 s/.test(text);
        },
        30_000,
      );
      pg.resume();
      const res = await job;
      assert.equal(res.code, 0, res.stderr);
      const [diff] = await sql`
        SELECT (SELECT count(*)::int FROM dst) AS n,
          (SELECT count(*)::int FROM (SELECT id, v FROM src EXCEPT ALL SELECT id, v FROM dst) a) AS missing,
          (SELECT count(*)::int FROM (SELECT id, v FROM dst EXCEPT ALL SELECT id, v FROM src) b) AS extra`;
      assert.deepEqual({ ...diff }, { n: SOURCE_ROWS, missing: 0, extra: 0 });
    } finally {
      await sql.end();
      await cluster.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
