/**
 * Recovery of the exactly-once PostgreSQL sink, step by step against a real
 * server: a subtask prepares the transactions of three checkpoints, the
 * second's completion notice is lost and the third never completes, then its
 * connections die mid-transaction (a crash). A new subtask restored from the
 * second checkpoint must commit that checkpoint's prepared transaction, roll
 * back the third's, and leave exactly the rows the second checkpoint covers.
 * Completion notices that overlap (the task does not await one before the
 * next) must commit every transaction they cover, each once.
 */

import assert from "node:assert/strict";
import { PostgresSink } from "../../mod.ts";
import type { StreamOperator } from "../../core/operators/stream_operator.ts";
import { OperatorHarness } from "../_helpers/operator_harness.ts";
import {
  PG_DATABASE,
  PG_PASSWORD,
  PG_USER,
  postgresSkipReason,
  startPostgres,
} from "../_helpers/postgres.ts";

const skip = postgresSkipReason();

/** The exactly-once sink of the tests: table t, column id, two records a batch. */
function exactlyOnceSink(pg: { host: string; port: number }) {
  return PostgresSink.exactlyOnce<[number]>()
    .connection({
      host: pg.host,
      port: pg.port,
      user: PG_USER,
      password: PG_PASSWORD,
      database: PG_DATABASE,
    })
    .table("t").columns("id").batchSize(2).build();
}

Deno.test({
  name:
    "exactly-once sink restore: commits the restored checkpoint's transaction, rolls back later ones",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    try {
      await sql`CREATE TABLE t (id int NOT NULL)`;
      const sink = exactlyOnceSink(pg);
      const subtask = () =>
        new OperatorHarness(sink.createOperator() as StreamOperator<[number], never>);
      const ids = async () => (await sql`SELECT id FROM t ORDER BY id`).map((r) => r.id);
      const prepared = async () =>
        (await sql`SELECT gid FROM pg_prepared_xacts ORDER BY gid`).map((r) => r.gid as string);

      const a = await subtask().open();
      a.element([1]).element([2]);
      await a.snapshot();
      const [first] = await prepared();
      assert.ok(first, "the first checkpoint's transaction is prepared");
      await a.op.notifyCheckpointComplete!(Number(first.split("_").at(-1)));
      assert.deepEqual(await ids(), [1, 2]);
      assert.deepEqual(await prepared(), []);

      a.element([3]).element([4]);
      const second = await a.snapshot(); // completes, but the notice is lost in the crash
      a.element([5]).element([6]);
      await a.snapshot(); // never completes
      a.element([7]).element([8]);
      a.op.flush!(); // written into an open transaction
      assert.equal((await prepared()).length, 2);
      assert.deepEqual(await ids(), [1, 2], "prepared rows are invisible");
      // The crash: the subtask's connections die.
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE application_name = 'spate' AND pid <> pg_backend_pid()`;

      const b = await subtask().open(second);
      assert.deepEqual(await ids(), [1, 2, 3, 4]);
      assert.deepEqual(await prepared(), [], "the third checkpoint's transaction is rolled back");
      b.element([5]).element([6]).element([7]).element([8]);
      await b.snapshot();
      await b.op.notifyCheckpointComplete!(Number.MAX_SAFE_INTEGER);
      await b.op.close();
      assert.deepEqual(await ids(), [1, 2, 3, 4, 5, 6, 7, 8]);
      assert.deepEqual(await prepared(), []);
    } finally {
      await sql.end();
    }
  },
});

Deno.test({
  name: "exactly-once sink: overlapping completion notices commit every prepared transaction",
  ignore: skip !== undefined,
  async fn() {
    await using pg = await startPostgres();
    const sql = pg.client();
    try {
      await sql`CREATE TABLE t (id int NOT NULL)`;
      const sink = exactlyOnceSink(pg);
      const a = await new OperatorHarness(sink.createOperator() as StreamOperator<[number], never>)
        .open();
      a.element([1]).element([2]);
      const first = await a.snapshot();
      a.element([3]).element([4]);
      const second = await a.snapshot();
      // Records of the next interval hold the open transaction's connection
      // (one of the sink's two), so the two commits below queue on the other.
      a.element([5]).element([6]);
      a.op.flush!();
      // The second notice comes while the first still commits (a task hands
      // notices to the chain without awaiting the one before).
      await Promise.all([
        a.op.notifyCheckpointComplete!(first.checkpointId),
        a.op.notifyCheckpointComplete!(second.checkpointId),
      ]);
      await a.op.close();
      assert.deepEqual(
        (await sql`SELECT id FROM t ORDER BY id`).map((r) => r.id),
        [1, 2, 3, 4, 5, 6],
      );
      assert.deepEqual(
        (await sql`SELECT gid FROM pg_prepared_xacts`).map((r) => r.gid as string),
        [],
        "no transaction is left prepared",
      );
    } finally {
      await sql.end();
    }
  },
});
