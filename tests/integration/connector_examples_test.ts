/**
 * The connector examples run as documented (`spate run examples/X.ts --local`)
 * against real servers started by the test:
 * - examples/postgres_source.ts: order totals per customer equal PostgreSQL's
 *   own GROUP BY;
 * - examples/mqtt_to_postgres.ts: readings published with QoS 1, some twice
 *   by the publisher (same id), are each in the table once.
 * (examples/postgres_sink.ts runs in postgres_test.ts.)
 */

import assert from "node:assert/strict";
import mqtt from "mqtt";
import { spawnCli } from "../_helpers/cli.ts";
import { waitFor } from "../_helpers/cluster.ts";
import { mosquittoIgnored, startMosquitto } from "../_helpers/mosquitto.ts";
import { PG_PASSWORD, PG_USER, postgresIgnored, startPostgres } from "../_helpers/postgres.ts";

/** How long a job may take to start (bundle, schedule, first checkpoint) on a loaded machine. */
const JOB_START_DEADLINE_MS = 90_000;

const pgIgnored = postgresIgnored("PostgreSQL example tests");
const mqttIgnored = pgIgnored || mosquittoIgnored("MQTT example tests");

/** The credentials, in the job's environment as the examples say (never on its command line). */
const PG_ENV = { PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD };

Deno.test({
  name: "examples/postgres_source.ts: the totals per customer equal the table's own GROUP BY",
  ignore: pgIgnored,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    try {
      await sql`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount_cents int NOT NULL)`;
      await sql`CREATE TABLE customer_totals (customer text PRIMARY KEY, orders bigint NOT NULL,
        amount_cents bigint NOT NULL)`;
      await sql`INSERT INTO orders
        SELECT i, 'c' || (i * 7919 % 50), i % 1000 FROM generate_series(1, 20000) i`;
      const run = spawnCli([
        "run",
        "examples/postgres_source.ts",
        "--local",
        "-p",
        "2",
        "--",
        "--host",
        "127.0.0.1",
        "--port",
        String(pg.port),
        "--database",
        "postgres",
        "--max-id",
        "20000",
        "--splits",
        "6",
      ], PG_ENV);
      const status = await run.child.status;
      await run.stderrClosed;
      assert.equal(status.code, 0, run.stderr());
      const got = await sql`SELECT customer, orders::int AS orders, amount_cents::int AS amount
        FROM customer_totals ORDER BY customer`;
      const want =
        await sql`SELECT customer, count(*)::int AS orders, sum(amount_cents)::int AS amount
        FROM orders GROUP BY customer ORDER BY customer`;
      assert.equal(got.length, 50);
      assert.deepEqual([...got], [...want]);
    } finally {
      await sql.end();
    }
  },
});

Deno.test({
  name:
    "examples/mqtt_to_postgres.ts: readings published with QoS 1, some twice, are each in the table once",
  ignore: mqttIgnored,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startMosquitto();
    await using pg = await startPostgres();
    const sql = pg.client();
    const dir = await Deno.makeTempDir({ prefix: "spate-mqtt-pg-example-" });
    await sql`CREATE TABLE readings (id text PRIMARY KEY, sensor text NOT NULL,
      value double precision NOT NULL)`;
    const run = spawnCli([
      "run",
      "examples/mqtt_to_postgres.ts",
      "--local",
      "-p",
      "2",
      "--checkpoint-interval",
      "300",
      "--checkpoint-dir",
      `${dir}/checkpoints`,
      "--",
      "--broker",
      broker.url,
      "--host",
      "127.0.0.1",
      "--port",
      String(pg.port),
      "--database",
      "postgres",
    ], PG_ENV);
    try {
      // On a timeout, the job's own output says why.
      const jobFailed = (e: Error) => {
        throw new Error(`${e.message}; the job's stderr:\n${run.stderr().slice(-4000)}`);
      };
      await waitFor(
        "a completed checkpoint",
        () => /Checkpoint \d+ completed/.test(run.stderr()),
        JOB_START_DEADLINE_MS,
      ).catch(jobFailed);
      // 3000 readings of 3 devices; every tenth one is published twice (a publisher's resend).
      const client = await mqtt.connectAsync(broker.url, {
        protocolVersion: 5,
        reconnectPeriod: 0,
      });
      const sent: Promise<unknown>[] = [];
      for (let i = 0; i < 3000; i++) {
        const reading = JSON.stringify({
          id: `dev${i % 3}-${i}`,
          sensor: `s${i % 7}`,
          value: i / 2,
        });
        for (let copy = 0; copy < (i % 10 === 0 ? 2 : 1); copy++) {
          sent.push(client.publishAsync(`sensors/s${i % 7}`, reading, { qos: 1 }));
        }
      }
      await Promise.all(sent);
      await client.endAsync();
      const count = async () => (await sql`SELECT count(*)::int AS n FROM readings`)[0].n;
      await waitFor("3000 readings in the table", async () => await count() >= 3000, 30_000)
        .catch(jobFailed);
      const [sum] = await sql`SELECT sum(value)::float8 AS total FROM readings`;
      assert.equal(sum.total, (2999 * 3000) / 4);
      assert.equal(await count(), 3000);
    } finally {
      run.child.kill("SIGTERM");
      await run.child.status;
      await sql.end();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
