/**
 * Records as table rows, and the batched statements the PostgreSQL sinks send:
 * one multi-row `INSERT` (optionally `ON CONFLICT ... DO UPDATE`) per batch,
 * values as bind parameters.
 * @module
 */

import { quoteIdent } from "./connection.ts";

/** PostgreSQL's limit of bind parameters per statement. */
export const MAX_BIND_PARAMETERS = 65_535;

/** Turns a record into its row: values in the order of the sink's columns. */
export type RowMapper<T> = (record: T) => readonly unknown[];

/**
 * The default mapping: an array is the row as it is; an object gives the
 * values of the columns' names.
 */
export function defaultRowMapper<T>(columns: readonly string[]): RowMapper<T> {
  return (record: T) => {
    if (Array.isArray(record)) return record;
    if (record === null || typeof record !== "object") {
      throw new TypeError(
        `a PostgreSQL sink record must be an array or an object with the columns ` +
          `${columns.join(", ")} (or give the builder a row mapper), got ${typeof record}`,
      );
    }
    const o = record as Record<string, unknown>;
    return columns.map((c) => o[c]);
  };
}

/** The statement writing `rows` rows into `table`; `conflictKey` makes it an upsert. */
export function insertSql(
  table: string,
  columns: readonly string[],
  rows: number,
  conflictKey?: readonly string[],
): string {
  const width = columns.length;
  const values: string[] = new Array(rows);
  for (let r = 0; r < rows; r++) {
    const ps: string[] = new Array(width);
    for (let c = 0; c < width; c++) ps[c] = `$${r * width + c + 1}`;
    values[r] = `(${ps.join(",")})`;
  }
  let text = `INSERT INTO ${quoteIdent(table)} (${columns.map(quoteIdent).join(",")}) VALUES ${
    values.join(",")
  }`;
  if (conflictKey !== undefined) {
    const keys = new Set(conflictKey);
    const updates = columns.filter((c) => !keys.has(c)).map((c) =>
      `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`
    );
    text += ` ON CONFLICT (${conflictKey.map(quoteIdent).join(",")}) ` +
      (updates.length > 0 ? `DO UPDATE SET ${updates.join(", ")}` : "DO NOTHING");
  }
  return text;
}

/** The rows' values, flattened in parameter order; checks each row's width. */
export function bindValues(rows: readonly (readonly unknown[])[], width: number): unknown[] {
  const out: unknown[] = new Array(rows.length * width);
  let i = 0;
  for (const row of rows) {
    if (row.length !== width) {
      throw new RangeError(`a row has ${row.length} values for ${width} column(s): ${row}`);
    }
    for (let c = 0; c < width; c++) {
      const v = row[c];
      out[i++] = v === undefined ? null : v;
    }
  }
  return out;
}

/** Checks a sink's batch size against PostgreSQL's bind parameter limit. */
export function checkBatchRows(batchRows: number, columns: number): void {
  if (!Number.isInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`batch size must be a positive integer, got ${batchRows}`);
  }
  if (batchRows * columns > MAX_BIND_PARAMETERS) {
    throw new RangeError(
      `batch size ${batchRows} x ${columns} column(s) exceeds PostgreSQL's ` +
        `${MAX_BIND_PARAMETERS} bind parameters per statement: use at most ` +
        `${Math.floor(MAX_BIND_PARAMETERS / columns)} rows`,
    );
  }
}
