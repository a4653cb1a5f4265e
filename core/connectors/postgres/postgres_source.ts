/**
 * Bounded PostgreSQL source: the rows of a query, read in parallel by key
 * range. The range [min, max] of an integer split column is cut into splits;
 * split i belongs to subtask i % parallelism. A split is read in pages by key
 * (`WHERE col > last AND col <= end ORDER BY col LIMIT fetchSize`), so its
 * progress is the last key emitted: the checkpoint keeps it per split, and a
 * restored job resumes each split after its last emitted key (any
 * parallelism). The split column must be unique in the query's rows (a
 * primary key) and rows outside [min, max] are not read.
 * @module
 */

import type postgres from "postgres";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader, SourceSpec } from "../source_reader.ts";
import {
  connectionPermissions,
  createClient,
  explain,
  type PostgresConnectionOptions,
  quoteIdent,
  validateConnectionOptions,
  withinStatementTimeout,
} from "./connection.ts";

/** Rows per page unless the builder says otherwise. */
export const DEFAULT_FETCH_ROWS = 2_000;

/** A row as the client returns it (int8 and numeric values come as strings). */
export type PostgresRow = Record<string, unknown>;

/** One key range, inclusive at both ends. */
interface KeySplit {
  readonly lo: number;
  readonly hi: number;
}

/** Checkpointed progress: per split key `lo-hi`, the last key emitted (null: none; "done"). */
type SplitProgress = [split: string, last: number | null | "done"][];

const keyOf = (s: KeySplit) => `${s.lo}-${s.hi}`;

/** Cuts [min, max] into `n` ranges of near-equal width (fewer when the range is short). */
export function keySplits(min: number, max: number, n: number): KeySplit[] {
  const width = max - min + 1;
  const count = Math.min(n, width);
  const out: KeySplit[] = [];
  for (let i = 0; i < count; i++) {
    const lo = min + Math.floor((width * i) / count);
    const hi = min + Math.floor((width * (i + 1)) / count) - 1;
    out.push({ lo, hi });
  }
  return out;
}

interface SourceSettings {
  readonly connection: PostgresConnectionOptions;
  readonly query: string;
  readonly column: string;
  readonly min: number;
  readonly max: number;
  readonly splits: number;
  readonly fetchRows: number;
}

class PostgresSplitReader implements SourceReader<PostgresRow> {
  private sql!: postgres.Sql;
  private mine: KeySplit[] = [];
  private progress = new Map<string, number | null | "done">();
  private index = 0;
  private page: PostgresRow[] = [];
  private pageIndex = 0;
  private readonly pageSql: string;

  constructor(private readonly s: SourceSettings) {
    const col = `q.${quoteIdent(s.column)}`;
    this.pageSql = `SELECT q.* FROM (${s.query}) AS q WHERE ${col} > $1 AND ${col} <= $2 ` +
      `ORDER BY ${col} LIMIT ${s.fetchRows}`;
  }

  async open(ctx: SourceContext): Promise<void> {
    const all = keySplits(this.s.min, this.s.max, this.s.splits);
    this.mine = all.filter((_, i) => i % ctx.parallelism === ctx.subtaskIndex);
    this.sql = await createClient(this.s.connection, 1);
    try {
      await this.sql.unsafe(
        `SELECT q.${quoteIdent(this.s.column)} FROM (${this.s.query}) AS q LIMIT 0`,
      );
    } catch (e) {
      await this.sql.end({ timeout: 1 }).catch(() => {});
      throw explain(`PostgresSource: cannot read the query`, this.s.connection, e);
    }
  }

  restoreState(states: readonly unknown[]): void {
    this.progress = new Map((states as SplitProgress[]).flat());
  }

  snapshotState(): SplitProgress {
    return this.mine.map((s) => [keyOf(s), this.progress.get(keyOf(s)) ?? null]);
  }

  async pollNext(
    output: RecordOutput<PostgresRow>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    let budget = maxRecords;
    for (;;) {
      while (this.pageIndex < this.page.length && budget > 0 && gate.available) {
        const row = this.page[this.pageIndex++];
        output.collect(row);
        this.progress.set(keyOf(this.mine[this.index]), Number(row[this.s.column]));
        budget--;
      }
      if (this.pageIndex < this.page.length || budget === 0 || !gate.available) return true;
      if (!(await this.nextPage())) return false;
    }
  }

  async close(): Promise<void> {
    await this.sql?.end({ timeout: 1 }).catch(() => {});
  }

  /** Loads the next page of the current split (moving to the next split at its end). */
  private async nextPage(): Promise<boolean> {
    while (this.index < this.mine.length) {
      const split = this.mine[this.index];
      const last = this.progress.get(keyOf(split)) ?? null;
      if (last !== "done") {
        const after = last === null ? split.lo - 1 : last;
        let rows: PostgresRow[];
        try {
          rows = [
            ...await withinStatementTimeout(
              this.s.connection,
              this.sql.unsafe(this.pageSql, [after, split.hi]),
            ),
          ] as PostgresRow[];
        } catch (e) {
          throw explain(
            `PostgresSource: reading split ${keyOf(split)} failed`,
            this.s.connection,
            e,
          );
        }
        if (rows.length > 0) {
          this.page = rows;
          this.pageIndex = 0;
          return true;
        }
        this.progress.set(keyOf(split), "done");
      }
      this.index++;
    }
    return false;
  }
}

/**
 * Builder of the PostgreSQL split source.
 *
 * @example
 * ```ts ignore
 * import { PostgresSource, StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const rows = env.fromSource(
 *   PostgresSource.builder()
 *     .connection({ host: "db", database: "app" }) // user, password: PGUSER, PGPASSWORD
 *     .query("SELECT id, name FROM users")
 *     .splitColumn("id", 1, 1_000_000)
 *     .build(),
 *   "users",
 * );
 * ```
 */
export class PostgresSource {
  private conn: PostgresConnectionOptions = {};
  private sqlText: string | undefined;
  private column: string | undefined;
  private min = 0;
  private max = 0;
  private splitCount: number | undefined;
  private fetch = DEFAULT_FETCH_ROWS;

  private constructor() {}

  static builder(): PostgresSource {
    return new PostgresSource();
  }

  /** Server and credentials; unset fields come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE. */
  connection(options: PostgresConnectionOptions): this {
    validateConnectionOptions(options);
    this.conn = { ...options };
    return this;
  }

  /** The query whose rows are read (a SELECT; it becomes a subquery filtered by key range). */
  query(sql: string): this {
    if (typeof sql !== "string" || sql.trim() === "") throw new RangeError("query is empty");
    this.sqlText = sql.trim().replace(/;\s*$/, "");
    return this;
  }

  /** The integer column (unique in the rows) whose range [min, max] is split among readers. */
  splitColumn(column: string, min: number, max: number): this {
    if (typeof column !== "string" || column === "") throw new RangeError("split column is empty");
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max < min) {
      throw new RangeError(`split range must be integers min <= max, got ${min}..${max}`);
    }
    this.column = column;
    this.min = min;
    this.max = max;
    return this;
  }

  /** Number of key ranges (default 16; each is read by one subtask; more than the parallelism balances). */
  splits(n: number): this {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`splits must be >= 1, got ${n}`);
    this.splitCount = n;
    return this;
  }

  /** Rows per page (one round trip); default 2000. */
  fetchSize(rows: number): this {
    if (!Number.isInteger(rows) || rows < 1) {
      throw new RangeError(`fetch size must be >= 1, got ${rows}`);
    }
    this.fetch = rows;
    return this;
  }

  build(): SourceSpec<PostgresRow> {
    if (this.sqlText === undefined) throw new Error("PostgresSource: query(...) is required");
    if (this.column === undefined) {
      throw new Error("PostgresSource: splitColumn(column, min, max) is required");
    }
    const settings: Omit<SourceSettings, "splits"> = {
      connection: this.conn,
      query: this.sqlText,
      column: this.column,
      min: this.min,
      max: this.max,
      fetchRows: this.fetch,
    };
    const fixed = this.splitCount;
    return {
      bounded: true,
      createReader: () => new PostgresSplitReader({ ...settings, splits: fixed ?? DEFAULT_SPLITS }),
      permissions: connectionPermissions(this.conn),
    };
  }
}

/** Key ranges unless the builder says otherwise (enough for 16 readers). */
export const DEFAULT_SPLITS = 16;
