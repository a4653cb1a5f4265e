/**
 * Exactly-once PostgreSQL sink: two-phase commit with PostgreSQL's prepared
 * transactions (after Flink's TwoPhaseCommitSinkFunction, the same contract as
 * the FileSink). The rows of one checkpoint interval go into one transaction
 * per subtask; at the barrier it is prepared (`PREPARE TRANSACTION '<gid>'`)
 * and its gid kept in the checkpoint; when the checkpoint completes everywhere
 * it is committed (`COMMIT PREPARED`). A prepared transaction survives the
 * client and the server crashing, so after a failure the restored task finds
 * it again by name: the gids in the restored checkpoint are committed, every
 * other prepared transaction of this sink and subtask (written after that
 * checkpoint) is rolled back.
 *
 * gid: `spate_<jobId>_<sinkId>_<subtask>_<checkpointId>`. Subtask s of a job
 * at parallelism p recovers the transactions of old subtasks j with
 * j % p === s, so subtasks never touch the same transaction.
 * @module
 */

import type postgres from "postgres";
import type { ListState } from "../../api/state.ts";
import { ListStateDescriptor } from "../../api/state.ts";
import { BatchingPostgresSink, type SinkSettings } from "./batching_sink.ts";
import { createClient, explain, withinStatementTimeout } from "./connection.ts";

/** A prepared transaction waiting for its checkpoint to complete. */
interface PreparedTransaction {
  readonly gid: string;
  readonly checkpointId: number;
}

/** PostgreSQL's code for "prepared transaction ... does not exist". */
const UNDEFINED_OBJECT = "42704";

export class PostgresExactlyOnceSinkOperator<T> extends BatchingPostgresSink<T> {
  private sql!: postgres.Sql;
  /** The connection of the open transaction, if one is open. */
  private txn: postgres.ReservedSql | undefined;
  /** Prepared and not yet committed, oldest first. */
  private pending: PreparedTransaction[] = [];
  private state!: ListState<PreparedTransaction>;
  /**
   * The commits of completion notices, one after the other: a task does not
   * await a notice before handing on the next, and two commit loops at once
   * would each shift the same transaction off `pending` and drop the one
   * after it uncommitted (left prepared: its rows lost, the job succeeding).
   */
  private committing: Promise<void> = Promise.resolve();

  constructor(settings: SinkSettings<T>, private readonly sinkId: string) {
    super(settings);
  }

  override async open(): Promise<void> {
    const { connection, label } = this.settings;
    this.sql = await createClient(connection, 2);
    let max: number;
    try {
      const [row] = await this.sql`SELECT current_setting('max_prepared_transactions')::int AS max`;
      max = row.max as number;
    } catch (e) {
      await this.sql.end({ timeout: 1 }).catch(() => {});
      throw explain(`${label}: cannot connect to PostgreSQL`, connection, e);
    }
    if (this.ctx.checkpointing && max <= 0) {
      await this.sql.end({ timeout: 1 }).catch(() => {});
      throw new Error(
        `${label}: the server has max_prepared_transactions = 0, so it cannot prepare ` +
          `transactions (two-phase commit): set max_prepared_transactions in postgresql.conf ` +
          `to at least the sink's parallelism x 2 and restart the server, or use the upsert sink`,
      );
    }
    await this.checkTable(this.sql);
    // Every subtask sees every restored gid (union state) and recovers its own share.
    this.state = this.ctx.operatorState.getUnionListState(
      new ListStateDescriptor<PreparedTransaction>("postgres-prepared-transactions"),
    );
    await this.recover([...this.state.get()]);
    this.state.clear();
  }

  protected override async writer(): Promise<postgres.ReservedSql> {
    if (this.txn === undefined) {
      const txn = await this.sql.reserve();
      await txn`BEGIN`;
      this.txn = txn;
    }
    return this.txn;
  }

  override async snapshotState(checkpointId: number): Promise<void> {
    await this.drain();
    if (this.txn !== undefined) {
      const gid = this.gid(this.ctx.subtaskIndex, checkpointId);
      const txn = this.txn;
      this.txn = undefined;
      try {
        await withinStatementTimeout(
          this.settings.connection,
          txn.unsafe(`PREPARE TRANSACTION '${gid}'`),
        );
      } finally {
        txn.release();
      }
      this.pending.push({ gid, checkpointId });
    }
    this.state.update(this.pending);
  }

  override notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const commit = this.committing.then(() => this.commitUpTo(checkpointId));
    this.committing = commit.catch(() => {});
    return commit;
  }

  override async close(): Promise<void> {
    // The input ended: the last checkpoint covered the sources' records; what
    // is left came from end-of-input emissions and is committed now.
    try {
      await this.committing;
      await this.drain();
      for (const p of this.pending.splice(0)) await this.commitPrepared(p.gid);
      if (this.txn !== undefined) {
        const txn = this.txn;
        this.txn = undefined;
        await withinStatementTimeout(this.settings.connection, txn`COMMIT`);
        txn.release();
      }
    } finally {
      // Also after a failure: a connection to a frozen server is dropped, not kept.
      await this.sql.end({ timeout: 5 });
    }
  }

  /**
   * Commits the prepared transactions of checkpoints up to `checkpointId`,
   * oldest first; each stays pending (in the next checkpoint's state) until
   * its commit is done, so a crash meanwhile commits it on recovery.
   */
  private async commitUpTo(checkpointId: number): Promise<void> {
    while (this.pending.length > 0 && this.pending[0].checkpointId <= checkpointId) {
      await this.commitPrepared(this.pending[0].gid);
      this.pending.shift();
    }
  }

  /** Prefix of this job and sink's gids. */
  private prefix(jobId: string): string {
    return `spate_${jobId}_${this.sinkId}_`;
  }

  private gid(subtask: number, checkpointId: number): string {
    return `${this.prefix(this.ctx.jobId ?? "local")}${subtask}_${checkpointId}`;
  }

  /**
   * Commits the restored checkpoint's prepared transactions and rolls back
   * the others this subtask owns (of this job, or of the job the state came from).
   */
  private async recover(restored: PreparedTransaction[]): Promise<void> {
    const { label, connection } = this.settings;
    const keep = new Set(restored.map((p) => p.gid));
    const jobs = new Set([this.ctx.jobId ?? "local"]);
    for (const p of restored) {
      const job = this.jobOf(p.gid);
      if (job !== undefined) jobs.add(job);
    }
    const prepared: string[] = [];
    try {
      for (const job of jobs) {
        const rows = await this.sql`
          SELECT gid FROM pg_prepared_xacts
          WHERE database = current_database() AND starts_with(gid, ${this.prefix(job)})`;
        for (const r of rows) prepared.push(r.gid as string);
      }
    } catch (e) {
      throw explain(`${label}: cannot list prepared transactions`, connection, e);
    }
    const p = this.ctx.parallelism;
    for (const gid of prepared) {
      const subtask = Number(gid.split("_").at(-2));
      if (!Number.isInteger(subtask) || subtask % p !== this.ctx.subtaskIndex) continue;
      if (keep.has(gid)) await this.commitPrepared(gid);
      else await this.run(`ROLLBACK PREPARED '${gid}'`);
    }
  }

  private jobOf(gid: string): string | undefined {
    const tail = `_${this.sinkId}_`;
    const at = gid.lastIndexOf(tail);
    return gid.startsWith("spate_") && at > 6 ? gid.slice(6, at) : undefined;
  }

  /** Commits a prepared transaction; one already committed (a repeated commit) is fine. */
  private async commitPrepared(gid: string): Promise<void> {
    await this.run(`COMMIT PREPARED '${gid}'`);
  }

  private async run(statement: string): Promise<void> {
    try {
      await withinStatementTimeout(this.settings.connection, this.sql.unsafe(statement));
    } catch (e) {
      if ((e as { code?: string }).code === UNDEFINED_OBJECT) return;
      throw explain(`${this.settings.label}: ${statement} failed`, this.settings.connection, e);
    }
  }
}
