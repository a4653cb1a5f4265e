/**
 * Print sink: one line per record on stdout, prefixed with `N> ` (the subtask
 * number, 1-based) when the sink runs with parallelism > 1, as in Flink. Lines
 * are written in batches, not one write per record.
 * @module
 */

import { formatRecord } from "./format.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

const FLUSH_CHARS = 64 * 1024;

export class PrintSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private prefix = "";
  private pending = "";
  private readonly encoder = new TextEncoder();

  constructor(private readonly stream: "stdout" | "stderr" = "stdout") {
    super();
  }
  override open(): void {
    if (this.ctx.parallelism > 1) this.prefix = `${this.ctx.subtaskIndex + 1}> `;
  }
  processElement(record: T): void {
    this.pending += this.prefix + formatRecord(record) + "\n";
    if (this.pending.length >= FLUSH_CHARS) this.flush();
  }
  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = this.encoder.encode(this.pending);
    this.pending = "";
    const target = this.stream === "stdout" ? Deno.stdout : Deno.stderr;
    for (let off = 0; off < bytes.length;) off += target.writeSync(bytes.subarray(off));
  }
  override close(): void {
    this.flush();
  }
}
