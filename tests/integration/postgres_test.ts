/**
 * PostgreSQL connectors against a real server (started by the test on a free
 * loopback port) and real processes: a master and 2 workers run the jobs of
 * tests/_jobs/postgres_jobs.ts while a worker is killed (-9) and replaced.
 * - exactly-once sink: the table holds every (key, n) of the keyed count
 *   exactly once, and no prepared transaction is left behind;
 * - upsert sink: the table ends with each key's final count;
 * - split source: a table read at parallelism 3 is copied exactly, with no
 *   transaction left prepared (a wrong copy logs its bad id ranges by split);
 * - bad configuration fails the job at start with a clear message.
 */

import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import type postgres from "postgres";
import { keySplits } from "../../core/connectors/postgres/postgres_source.ts";
import { runCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails, runWithKills } from "../_helpers/kills.ts";
import { keyOf } from "../_helpers/keyed_count.ts";
import {
  PG_ENV,
  PG_PASSWORD,
  PG_USER,
  postgresJobArgs,
  postgresSkipReason,
  startPostgres,
} from "../_helpers/postgres.ts";

const skip = postgresSkipReason();
if (skip) console.log(`PostgreSQL tests skipped: ${skip}`);

const EVENTS = 30_000;
const KEYS = 200;
const RATE = 6_000; // events/s: the job runs ~5 s, long enough for a kill after a checkpoint
/** Rows the split source copies, and the page size that makes the copy take a few seconds. */
const SOURCE_ROWS = 100_000;
const SOURCE_FETCH = 20;

/** A local run's credentials: in its environment, not this process's (files run in parallel). */
const pgEnv = (password: string) => ({ PGUSER: PG_USER, PGPASSWORD: password });

function finalCounts(): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < EVENTS; i++) m.set(keyOf(i, KEYS), (m.get(keyOf(i, KEYS)) ?? 0) + 1);
  return m;
}

const checkpointFlags = (dir: string) => [
  "-p",
  "2",
  "--checkpoint-interval",
  "400",
  "--checkpoint-dir",
  dir,
  "--restart-strategy",
  "fixed-delay:10:200",
];

Deno.test({
  name:
    "exactly-once sink: kill -9 a worker; every count is in the table exactly once, nothing left prepared",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const out = await Deno.makeTempDir({ prefix: "spate-pg-eo-" });
    try {
      await sql`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
      const args = postgresJobArgs(cluster.url, pg.port, [
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
      ], checkpointFlags(`${out}/checkpoints`));
      await runWithKills(cluster, args, 1);
      const [dups] = await sql`
        SELECT count(*)::int AS n FROM (SELECT key, n FROM eo_counts GROUP BY key, n HAVING count(*) > 1) d`;
      const rows =
        await sql`SELECT key, max(n)::int AS max, count(*)::int AS rows FROM eo_counts GROUP BY key`;
      const got = new Map(rows.map((r) => [r.key as string, [r.max, r.rows]]));
      const want = new Map([...finalCounts()].map(([k, n]) => [k, [n, n]]));
      assert.equal(dups.n, 0, "duplicated (key, n) rows");
      assert.deepEqual(got, want);
      const [total] = await sql`SELECT count(*)::int AS n FROM eo_counts`;
      assert.equal(total.n, EVENTS);
      const prepared = await sql`SELECT gid FROM pg_prepared_xacts`;
      assert.deepEqual(prepared.map((r) => r.gid), [], "prepared transactions left");
      console.log(`exactly-once after a kill: ${total.n} rows, 0 duplicates, 0 prepared left`);
    } finally {
      await sql.end();
      await cluster.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "exactly-once sink: the server restarts mid-job; the job restarts and the table is still exact",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const out = await Deno.makeTempDir({ prefix: "spate-pg-down-" });
    try {
      await sql`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
      await sql.end();
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
      ], [...checkpointFlags(`${out}/checkpoints`), "--restart-strategy", "fixed-delay:50:200"]));
      let jobId = "";
      await waitFor("a completed checkpoint", async () => {
        const d = await jobDetails(cluster.url);
        jobId = d?.jid ?? "";
        return d?.checkpoints.some((c: { status: string }) => c.status === "COMPLETED") ?? false;
      }, 30_000);
      await pg.stop();
      await waitFor("the sink to fail on the stopped server", async () => {
        const res = await fetch(`${cluster.url}/api/v1/jobs/${jobId}/exceptions`);
        return (await res.text()).includes("PostgresSink");
      }, 30_000);
      await pg.start();
      const res = await job;
      assert.equal(res.code, 0, res.stderr);
      const check = pg.client();
      try {
        const [r] = await check`
          SELECT count(*)::int AS rows, count(DISTINCT (key, n))::int AS distinct_rows FROM eo_counts`;
        assert.deepEqual({ ...r }, { rows: EVENTS, distinct_rows: EVENTS });
        assert.deepEqual([...await check`SELECT gid FROM pg_prepared_xacts`], []);
      } finally {
        await check.end();
      }
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "upsert sink: kill -9 a worker; the table ends with every key's final count",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const out = await Deno.makeTempDir({ prefix: "spate-pg-up-" });
    try {
      await sql`CREATE TABLE up_counts (key text PRIMARY KEY, n bigint NOT NULL)`;
      const args = postgresJobArgs(cluster.url, pg.port, [
        "--job",
        "count-upsert",
        "--table",
        "up_counts",
        "--events",
        String(EVENTS),
        "--keys",
        String(KEYS),
        "--rate",
        String(RATE),
      ], checkpointFlags(`${out}/checkpoints`));
      await runWithKills(cluster, args, 1);
      const rows = await sql`SELECT key, n::int AS n FROM up_counts`;
      assert.deepEqual(new Map(rows.map((r) => [r.key as string, r.n as number])), finalCounts());
    } finally {
      await sql.end();
      await cluster.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "split source: a table read at parallelism 3 is copied exactly, also after a kill -9",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    const cluster = await startCluster(2, 2, [], undefined, { workerEnv: PG_ENV });
    const out = await Deno.makeTempDir({ prefix: "spate-pg-src-" });
    const rows = SOURCE_ROWS;
    try {
      await sql`CREATE TABLE src (id int PRIMARY KEY, v text NOT NULL)`;
      await sql`INSERT INTO src SELECT i, 'v' || i FROM generate_series(1, ${rows}) i`;
      // The kill run comes first: runWithKills follows the cluster's first job.
      for (const kills of [1, 0]) {
        const dst = `dst${kills}`;
        await sql.unsafe(`CREATE TABLE ${dst} (id int NOT NULL, v text NOT NULL)`);
        const args = postgresJobArgs(cluster.url, pg.port, [
          "--job",
          "copy",
          "--from",
          "src",
          "--table",
          dst,
          "--rows",
          String(rows),
          "--fetch",
          String(kills === 0 ? 2000 : SOURCE_FETCH),
        ], [...checkpointFlags(`${out}/checkpoints-${kills}`), "-p", "3"]);
        const started = Date.now();
        if (kills === 0) {
          const res = await runCli(args);
          assert.equal(res.code, 0, `${res.stderr}\n${cluster.logs()}`);
        } else {
          await runWithKills(cluster, args, kills);
        }
        const [diff] = await sql.unsafe(`
          SELECT (SELECT count(*)::int FROM ${dst}) AS n,
            (SELECT count(*)::int FROM (SELECT id, v FROM src EXCEPT ALL SELECT id, v FROM ${dst}) a) AS missing,
            (SELECT count(*)::int FROM (SELECT id, v FROM ${dst} EXCEPT ALL SELECT id, v FROM src) b) AS extra`);
        const prepared = (await sql`SELECT gid FROM pg_prepared_xacts`).map((r) => r.gid);
        const report = { ...diff, prepared };
        const expected = { n: rows, missing: 0, extra: 0, prepared: [] };
        if (!isDeepStrictEqual(report, expected)) {
          // Say which keys went wrong, by split, so a rare failure explains itself.
          console.error(`copy with ${kills} kill(s) is wrong:\n${await copyDiagnosis(sql, dst)}`);
        }
        assert.deepEqual(report, expected);
        console.log(`copy with ${kills} kill(s): ${rows} rows exactly, ${Date.now() - started} ms`);
      }
    } finally {
      await sql.end();
      await cluster.stop();
      await Deno.remove(out, { recursive: true });
    }
  },
});

/** Splits and readers of the copy job (tests/_jobs/postgres_jobs.ts: 12 splits at parallelism 3). */
const COPY_SPLITS = keySplits(1, SOURCE_ROWS, 12);
const COPY_PARALLELISM = 3;

/** The copy's missing and duplicated id ranges, each with its split and reading subtask. */
async function copyDiagnosis(sql: postgres.Sql, dst: string): Promise<string> {
  const ranges = async (kind: string, ids: string) =>
    (await sql.unsafe(`
      SELECT min(id)::int AS lo, max(id)::int AS hi, count(*)::int AS n FROM (
        SELECT id, id - row_number() OVER (ORDER BY id) AS grp FROM (${ids}) x) g
      GROUP BY grp ORDER BY lo LIMIT 50`)).map((r) => {
      const split = COPY_SPLITS.findIndex((s) => r.lo >= s.lo && r.lo <= s.hi);
      return `${kind} ids ${r.lo}..${r.hi} (${r.n} rows): split ${split} ` +
        `[${COPY_SPLITS[split]?.lo}..${COPY_SPLITS[split]?.hi}] of subtask ${
          split % COPY_PARALLELISM
        }`;
    });
  const missing = await ranges("missing", `SELECT id FROM src EXCEPT SELECT id FROM ${dst}`);
  const extra = await ranges(
    "duplicated",
    `SELECT id FROM ${dst} GROUP BY id HAVING count(*) > 1`,
  );
  const prepared = await sql`SELECT gid, prepared FROM pg_prepared_xacts ORDER BY gid`;
  return [
    ...missing,
    ...extra,
    ...prepared.map((p) => `left prepared: ${p.gid} (since ${p.prepared})`),
  ].join("\n");
}

/** Runs the exactly-once count job locally against `port`; returns its stderr (it must fail). */
async function failingRun(port: number, table: string, password = PG_PASSWORD): Promise<string> {
  const res = await runCli(
    postgresJobArgs(undefined, port, [
      "--job",
      "count-eo",
      "--table",
      table,
      "--events",
      "100",
    ], ["--checkpoint-interval", "500", "--restart-strategy", "none"]),
    undefined,
    undefined,
    pgEnv(password),
  );
  assert.notEqual(res.code, 0, res.stderr);
  return res.stderr;
}

Deno.test({
  name: "bad configuration fails the job at start with a clear message",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    try {
      await sql`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
      assert.match(await failingRun(pg.port, "no_such_table"), /table does not exist/);
      const wrong = await failingRun(pg.port, "eo_counts", "Xq9-bad-secret");
      assert.match(wrong, /authentication failed/);
      assert.ok(!wrong.includes("Xq9-bad-secret"), "the password appears in the output");
      const closed = (() => {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const p = (l.addr as Deno.NetAddr).port;
        l.close();
        return p;
      })();
      assert.match(await failingRun(closed, "eo_counts"), /connection refused/);
    } finally {
      await sql.end();
    }
    await using no2pc = await startPostgres({ maxPreparedTransactions: 0 });
    const sql2 = no2pc.client();
    try {
      await sql2`CREATE TABLE eo_counts (key text NOT NULL, n bigint NOT NULL)`;
      assert.match(await failingRun(no2pc.port, "eo_counts"), /max_prepared_transactions = 0/);
    } finally {
      await sql2.end();
    }
  },
});

Deno.test({
  name: "examples/postgres_sink.ts writes the history exactly once and the latest counts",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    const out = await Deno.makeTempDir({ prefix: "spate-pg-ex-" });
    try {
      await sql`CREATE TABLE word_count_history (word text NOT NULL, n bigint NOT NULL)`;
      await sql`CREATE TABLE word_counts (word text PRIMARY KEY, n bigint NOT NULL)`;
      const res = await runCli(
        [
          "run",
          "examples/postgres_sink.ts",
          "--local",
          "-p",
          "2",
          "--checkpoint-interval",
          "300",
          "--checkpoint-dir",
          `${out}/checkpoints`,
          "--",
          "--host",
          "127.0.0.1",
          "--port",
          String(pg.port),
          "--database",
          "postgres",
          "--events",
          "5000",
          "--words",
          "50",
        ],
        undefined,
        undefined,
        pgEnv(PG_PASSWORD),
      );
      assert.equal(res.code, 0, res.stderr);
      const [h] = await sql`SELECT count(*)::int AS n FROM word_count_history`;
      const [l] = await sql`SELECT count(*)::int AS words, sum(n)::int AS total FROM word_counts`;
      assert.deepEqual({ history: h.n, ...l }, { history: 5000, words: 50, total: 5000 });
    } finally {
      await sql.end();
      await Deno.remove(out, { recursive: true });
    }
  },
});
