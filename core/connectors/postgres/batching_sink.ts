/**
 * What both PostgreSQL sinks share: rows buffered from the synchronous
 * `processElement` and written in batches of `batchRows` rows, one statement
 * per round trip, by a single write loop (so statements on a connection run in
 * order). A failed write fails the task at its next record or checkpoint.
 * @module
 */

import type postgres from "postgres";
import { AbstractStreamOperator } from "../../operators/stream_operator.ts";
import {
  explain,
  type PostgresConnectionOptions,
  quoteIdent,
  withinStatementTimeout,
} from "./connection.ts";
import { bindValues, insertSql, type RowMapper } from "./rows.ts";

/** What a sink subtask needs to know. */
export interface SinkSettings<T> {
  readonly connection: PostgresConnectionOptions;
  readonly table: string;
  readonly columns: readonly string[];
  readonly toRow: RowMapper<T>;
  readonly batchRows: number;
  /** Upsert only: the conflict key (a primary key or unique constraint's columns). */
  readonly key?: readonly string[];
  /** The sink's name in messages. */
  readonly label: string;
}

export abstract class BatchingPostgresSink<T> extends AbstractStreamOperator<T, never> {
  private buffer: (readonly unknown[])[] = [];
  private writing: Promise<void> | undefined;
  private failure: Error | undefined;
  private readonly statements = new Map<number, string>();

  constructor(protected readonly settings: SinkSettings<T>) {
    super();
  }

  /** The connection statements run on now (a transaction's, or the pool). */
  protected abstract writer(): Promise<postgres.Sql | postgres.ReservedSql>;

  processElement(record: T): void {
    if (this.failure) throw this.failure;
    this.buffer.push(this.settings.toRow(record));
    if (this.buffer.length >= this.settings.batchRows && this.writing === undefined) this.kick();
  }

  /** The buffer-timeout flusher: a partial batch goes out rather than waiting. */
  flush(): void {
    if (this.failure === undefined && this.buffer.length > 0 && this.writing === undefined) {
      this.kick();
    }
  }

  /** Writes every buffered row; throws the first write failure. */
  protected async drain(): Promise<void> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.writing) await this.writing.catch(() => {});
      else if (this.buffer.length > 0) this.kick();
      else return;
    }
  }

  /** Checks at open that the table and columns exist, with a clear message when not. */
  protected async checkTable(sql: postgres.Sql): Promise<void> {
    const { table, columns, label } = this.settings;
    try {
      await sql.unsafe(
        `SELECT ${columns.map(quoteIdent).join(",")} FROM ${quoteIdent(table)} WHERE false`,
      );
    } catch (e) {
      throw explain(`${label}: cannot write table ${table}`, this.settings.connection, e);
    }
  }

  private kick(): void {
    this.writing = this.writeLoop().catch((e) => {
      this.failure ??= explain(
        `${this.settings.label}: writing to ${this.settings.table} failed`,
        this.settings.connection,
        e,
      );
    }).finally(() => this.writing = undefined);
  }

  private async writeLoop(): Promise<void> {
    const { batchRows, columns, table, key } = this.settings;
    while (this.buffer.length > 0) {
      const rows = this.buffer.length <= batchRows ? this.buffer : this.buffer.slice(0, batchRows);
      this.buffer = rows === this.buffer ? [] : this.buffer.slice(batchRows);
      const batch = key === undefined ? rows : lastPerKey(rows, columns, key);
      let text = this.statements.get(batch.length);
      if (text === undefined) {
        text = insertSql(table, columns, batch.length, key);
        // Full batches reuse one prepared statement; odd sizes are not kept.
        if (batch.length === batchRows) this.statements.set(batch.length, text);
      }
      const connection = this.settings.connection;
      const sql = await withinStatementTimeout(connection, this.writer());
      await withinStatementTimeout(
        connection,
        sql.unsafe(text, bindValues(batch, columns.length) as postgres.ParameterOrJSON<never>[]),
      );
    }
  }
}

/**
 * The last row of each key in a batch: one upsert statement may not update a
 * row twice (PostgreSQL refuses), and the last one wins anyway.
 */
function lastPerKey(
  rows: (readonly unknown[])[],
  columns: readonly string[],
  key: readonly string[],
): (readonly unknown[])[] {
  const idx = key.map((k) => columns.indexOf(k));
  const byKey = new Map<string, readonly unknown[]>();
  for (const row of rows) {
    const k = idx.length === 1 ? String(row[idx[0]]) : JSON.stringify(idx.map((i) => row[i]));
    byKey.delete(k);
    byKey.set(k, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
