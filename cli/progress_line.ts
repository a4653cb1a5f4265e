/**
 * The progress of a running job as one line: records per second (over the
 * last report), records processed so far (by every task), checkpoints completed and the most
 * backpressured vertex. `spate run` redraws it on a terminal and prints it
 * now and then otherwise. Pure: the caller passes the time.
 * @module
 */

import type { VertexProgress } from "../nodes/protocol/client.ts";
import { thousands } from "./summary.ts";

const fmt = (n: number) => thousands(Math.round(n));

/** Folds progress reports into rates. */
export class JobProgress {
  private last: { atMs: number; records: number; backpressured: number[] } | undefined;
  /** Known from the second report on. */
  private recordsPerSecond: number | undefined;
  private records = 0;
  private backpressure: { name: string; ratio: number } | undefined;
  /** Checkpoints completed so far (the caller counts them). */
  checkpoints = 0;

  /** A report of every vertex's counters at `atMs`. */
  update(vertices: readonly VertexProgress[], atMs: number): void {
    const records = vertices.reduce((n, v) => n + v.recordsIn, 0);
    const backpressured = vertices.map((v) => v.backpressuredMs ?? 0);
    const last = this.last;
    if (last !== undefined && atMs > last.atMs) {
      const dt = atMs - last.atMs;
      this.recordsPerSecond = Math.max(0, records - last.records) * 1000 / dt;
      let worst: { name: string; ratio: number } | undefined;
      vertices.forEach((v, i) => {
        const ratio = Math.min(
          1,
          Math.max(0, backpressured[i] - (last.backpressured[i] ?? 0)) / dt,
        );
        if (ratio > (worst?.ratio ?? 0)) worst = { name: v.name, ratio };
      });
      this.backpressure = worst;
    }
    this.records = records;
    this.last = { atMs, records, backpressured };
  }

  /**
   * The line, at most `columns - 1` characters (a terminal wraps at the last column).
   *
   * @example
   * ```ts
   * import { JobProgress } from "./progress_line.ts";
   * const p = new JobProgress();
   * p.update([{ name: "Source", recordsIn: 0, recordsOut: 0 }], 0);
   * p.update([{ name: "Source", recordsIn: 500, recordsOut: 500 }], 1000);
   * console.assert(p.line(80).startsWith("500 records/s"));
   * ```
   */
  line(columns: number): string {
    const bp = this.backpressure;
    const rate = this.recordsPerSecond;
    const text = [
      ...rate === undefined ? [] : [`${fmt(rate)} records/s`],
      `${fmt(this.records)} records processed`,
      `${this.checkpoints} checkpoint${this.checkpoints === 1 ? "" : "s"}`,
      bp === undefined || bp.ratio < 0.01
        ? "no backpressure"
        : `backpressure ${Math.round(bp.ratio * 100)}% at ${bp.name}`,
    ].join(" | ");
    return text.length < columns ? text : text.slice(0, Math.max(0, columns - 2)) + "…";
  }
}
