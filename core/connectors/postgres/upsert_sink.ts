/**
 * Upsert PostgreSQL sink: `INSERT ... ON CONFLICT (key) DO UPDATE`, batched,
 * each batch committed on its own. Writing a row twice leaves the same row,
 * so a replay after a failure converges to the right table: at-least-once
 * delivery, idempotent result. At a checkpoint barrier every buffered row is
 * written first, so what a checkpoint covers is in the table.
 * @module
 */

import type postgres from "postgres";
import { BatchingPostgresSink } from "./batching_sink.ts";
import { createClient, explain } from "./connection.ts";

export class PostgresUpsertSinkOperator<T> extends BatchingPostgresSink<T> {
  private sql!: postgres.Sql;

  override async open(): Promise<void> {
    const { connection, label } = this.settings;
    this.sql = await createClient(connection, 1);
    try {
      await this.sql`SELECT 1`;
    } catch (e) {
      await this.sql.end({ timeout: 1 }).catch(() => {});
      throw explain(`${label}: cannot connect to PostgreSQL`, connection, e);
    }
    await this.checkTable(this.sql);
  }

  protected override writer(): Promise<postgres.Sql> {
    return Promise.resolve(this.sql);
  }

  override async snapshotState(): Promise<void> {
    await this.drain();
  }

  override async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      await this.sql.end({ timeout: 5 });
    }
  }
}
