/**
 * A PostgreSQL server that freezes mid-job (SIGSTOP to the postmaster and
 * every backend: connections stay open, nothing answers), on a master and 2
 * workers running the exactly-once keyed count of tests/_jobs/postgres_jobs.ts:
 * the sink's statement timeout fails the task instead of waiting for ever,
 * reconnecting fails within the connect timeout while the server stays
 * frozen, and when it thaws the job restarts, finishes and the table holds
 * every count exactly once. (tests/integration/postgres_test.ts covers a
 * server that stops and starts again.)
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";
import { PG_PASSWORD, PG_USER, postgresSkipReason, startPostgres } from "../_helpers/postgres.ts";

const skip = postgresSkipReason();
if (skip) console.log(`PostgreSQL outage tests skipped: ${skip}`);

const EVENTS = 30_000;
const KEYS = 200;
const RATE = 6_000;

Deno.test({
  name:
    "exactly-once sink: a frozen server fails the task within the statement timeout; after it thaws the table is exact",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    await sql`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
    await sql.end();
    const cluster = await startCluster(2, 2, [], undefined, {
      workerEnv: { PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD },
    });
    const dir = await Deno.makeTempDir({ prefix: "spate-pg-freeze-" });
    try {
      const job = runCli([
        "run",
        jobPath("postgres_jobs.ts"),
        "--master",
        cluster.url,
        "-p",
        "2",
        "--checkpoint-interval",
        "400",
        "--checkpoint-dir",
        `${dir}/checkpoints`,
        "--restart-strategy",
        "fixed-delay:100:300",
        "--",
        "--port",
        String(pg.port),
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
      ]);
      let jobId = "";
      await waitFor("a completed checkpoint", async () => {
        const d = await jobDetails(cluster.url);
        jobId = d?.jid ?? "";
        return d?.checkpoints.some((c: { status: string }) => c.status === "COMPLETED") ?? false;
      }, 30_000);
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
