/**
 * Builders of the PostgreSQL sinks (Flink style):
 * - `PostgresSink.exactlyOnce()`: two-phase commit with prepared transactions;
 *   every record is in the table exactly once after any failure (needs
 *   checkpointing and `max_prepared_transactions > 0`).
 * - `PostgresSink.upsert()`: `INSERT ... ON CONFLICT (key) DO UPDATE`;
 *   at-least-once delivery with an idempotent result.
 * @module
 */

import type { Sink } from "../file_sink.ts";
import {
  connectionPermissions,
  type PostgresConnectionOptions,
  validateConnectionOptions,
} from "./connection.ts";
import { PostgresExactlyOnceSinkOperator } from "./exactly_once_sink.ts";
import { checkBatchRows, defaultRowMapper, type RowMapper } from "./rows.ts";
import { PostgresUpsertSinkOperator } from "./upsert_sink.ts";

/** Rows per INSERT statement (one round trip) unless the builder says otherwise. */
export const DEFAULT_BATCH_ROWS = 500;

type Mode = "exactly-once" | "upsert";

/**
 * Builder of a PostgreSQL sink.
 *
 * @example
 * ```ts ignore
 * import { PostgresSink } from "spate";
 * stream.sinkTo(
 *   PostgresSink.exactlyOnce<{ word: string; n: number }>()
 *     .connection({ host: "db", database: "app" }) // user, password: PGUSER, PGPASSWORD
 *     .table("counts").columns("word", "n")
 *     .build(),
 * );
 * ```
 */
export class PostgresSink<T> {
  private conn: PostgresConnectionOptions = {};
  private tableName: string | undefined;
  private cols: string[] | undefined;
  private keyCols: string[] | undefined;
  private mapper: RowMapper<T> | undefined;
  private batch = DEFAULT_BATCH_ROWS;
  private id: string | undefined;

  private constructor(private readonly mode: Mode) {}

  /** Exactly-once: one prepared transaction per subtask and checkpoint, committed when it completes. */
  static exactlyOnce<T>(): PostgresSink<T> {
    return new PostgresSink<T>("exactly-once");
  }

  /** Upsert on a key: idempotent writes, at-least-once delivery. */
  static upsert<T>(): PostgresSink<T> {
    return new PostgresSink<T>("upsert");
  }

  /** Server and credentials; unset fields come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
  connection(options: PostgresConnectionOptions): this {
    validateConnectionOptions(options);
    this.conn = { ...options };
    return this;
  }

  /** The table written (`name` or `schema.name`). */
  table(name: string): this {
    if (typeof name !== "string" || name === "") throw new RangeError("table name is empty");
    this.tableName = name;
    return this;
  }

  /** The columns written, in the order of the rows' values. */
  columns(...names: string[]): this {
    if (names.length === 0 || names.some((n) => typeof n !== "string" || n === "")) {
      throw new RangeError("columns needs one or more non-empty column names");
    }
    this.cols = names;
    return this;
  }

  /** Upsert: the conflict key (columns of a primary key or unique constraint). */
  key(...names: string[]): this {
    if (this.mode !== "upsert") throw new Error("key(...) is for PostgresSink.upsert()");
    if (names.length === 0) throw new RangeError("key needs one or more column names");
    this.keyCols = names;
    return this;
  }

  /** Record to row (values in column order); default: arrays as they are, objects by column name. */
  rowMapper(fn: RowMapper<T>): this {
    this.mapper = fn;
    return this;
  }

  /** Rows per statement (one round trip); default 500. */
  batchSize(rows: number): this {
    this.batch = rows;
    return this;
  }

  /**
   * Exactly-once: the name in this sink's transaction ids (default: the table
   * name); give two sinks writing one table different ids. Letters, digits, _.
   */
  sinkId(id: string): this {
    if (!/^[A-Za-z0-9]{1,40}$/.test(id.replaceAll("_", "x"))) {
      throw new RangeError(`sink id must be 1-40 letters, digits or _, got '${id}'`);
    }
    this.id = id;
    return this;
  }

  build(): Sink {
    const table = this.tableName;
    if (table === undefined) throw new Error("PostgresSink: table(...) is required");
    const columns = this.cols;
    if (columns === undefined) throw new Error("PostgresSink: columns(...) is required");
    checkBatchRows(this.batch, columns.length);
    const key = this.keyCols;
    if (this.mode === "upsert") {
      if (key === undefined) throw new Error("PostgresSink.upsert(): key(...) is required");
      const missing = key.filter((k) => !columns.includes(k));
      if (missing.length > 0) {
        throw new RangeError(`upsert key column(s) ${missing.join(", ")} not among the columns`);
      }
    }
    const label = `PostgresSink.${this.mode === "upsert" ? "upsert" : "exactlyOnce"}(${table})`;
    const settings = {
      connection: this.conn,
      table,
      columns,
      toRow: this.mapper ?? defaultRowMapper<T>(columns),
      batchRows: this.batch,
      key: this.mode === "upsert" ? key : undefined,
      label,
    };
    const sinkId = this.id ?? table.replace(/[^A-Za-z0-9]/g, "x").slice(0, 40);
    const mode = this.mode;
    return {
      name: `Sink: PostgreSQL ${table} (${mode})`,
      createOperator: () =>
        mode === "upsert"
          ? new PostgresUpsertSinkOperator<T>(settings)
          : new PostgresExactlyOnceSinkOperator<T>(settings, sinkId),
      permissions: connectionPermissions(this.conn),
    };
  }
}
