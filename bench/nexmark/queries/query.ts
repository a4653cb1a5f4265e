/**
 * What every Nexmark query provides: the query as a spate DataStream job,
 * and the same logic as one plain loop, which is both the raw baseline of
 * `spate bench nexmark` and the reference the tests compare the job with.
 * @module
 */

import type { DataStream } from "spate";
import type { NexmarkEvent } from "../model.ts";

/** A result row: a flat tuple of numbers and strings (every field is folded into checksums). */
export type Row = readonly (number | string)[];

export interface NexmarkQuery {
  /** "q0" .. "q8". */
  readonly name: string;
  /** One line: what the query computes. */
  readonly description: string;
  /**
   * The query on the event stream (timestamps and watermarks already
   * assigned: event time is each event's `dateTime`, watermarks trail the
   * newest timestamp per source subtask). Results must not depend on the
   * parallelism or on the order in which subtasks interleave: a bounded run
   * at any parallelism produces the same multiset of rows.
   */
  build(events: DataStream<NexmarkEvent>): DataStream<Row>;
  /**
   * The same query as a plain loop over `batches` (arrays of events in event
   * number order, materialized by the caller): calls `emit` for every row the
   * job would produce over the whole bounded input, then returns.
   */
  raw(batches: Iterable<readonly NexmarkEvent[]>, emit: (row: Row) => void): void;
}

/** An order-independent checksum step: a hash of every field of `row`, added mod 2^32. */
export function foldRow(checksum: number, row: Row): number {
  let h = 0x811c9dc5;
  for (const f of row) {
    if (typeof f === "number") {
      h = Math.imul(h ^ (f | 0), 0x01000193);
      h = Math.imul(h ^ Math.floor(f / 4294967296), 0x01000193);
      h = Math.imul(h ^ Math.round((f % 1) * 1e6), 0x01000193);
    } else {
      for (let i = 0; i < f.length; i++) h = Math.imul(h ^ f.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0xff, 0x01000193);
    }
  }
  return (checksum + (h >>> 0)) >>> 0;
}
