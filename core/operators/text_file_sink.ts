/**
 * Text file sink: one line per record. With parallelism 1 it writes the file at
 * `path`; with more it writes `path/part-<subtask>` files, as Flink's
 * writeAsText does. Missing parent directories are created. Writes are batched.
 * @module
 */

import { dirname } from "node:path";
import { formatRecord } from "./format.ts";
import { AbstractStreamOperator } from "./stream_operator.ts";

const FLUSH_CHARS = 256 * 1024;

/** The file a subtask of a text sink writes. */
export function textSinkFile(path: string, parallelism: number, subtaskIndex: number): string {
  return parallelism > 1 ? `${path}/part-${subtaskIndex}` : path;
}

export class TextFileSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private file: Deno.FsFile | undefined;
  /** Lines not written yet: joined once at a flush (appending to one string made two cons strings a line). */
  private readonly pending: string[] = [];
  private pendingChars = 0;
  private readonly encoder = new TextEncoder();

  constructor(private readonly path: string) {
    super();
  }
  override open(): void {
    const { parallelism, subtaskIndex } = this.ctx;
    const target = textSinkFile(this.path, parallelism, subtaskIndex);
    try {
      const open = () => Deno.openSync(target, { write: true, create: true, truncate: true });
      try {
        this.file = open();
      } catch (e) {
        // Only a missing directory is made: a sandboxed job may write its file, not its parent.
        if (!(e instanceof Deno.errors.NotFound)) throw e;
        Deno.mkdirSync(dirname(target), { recursive: true });
        this.file = open();
      }
    } catch (e) {
      throw new Error(`cannot open sink file ${target}: ${(e as Error).message}`, { cause: e });
    }
  }
  processElement(record: T): void {
    const line = formatRecord(record);
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }
  flush(): void {
    if (this.pending.length === 0 || this.file === undefined) return;
    this.pending.push("");
    const bytes = this.encoder.encode(this.pending.join("\n"));
    this.pending.length = 0;
    this.pendingChars = 0;
    for (let off = 0; off < bytes.length;) off += this.file.writeSync(bytes.subarray(off));
  }
  override close(): void {
    this.flush();
    this.file?.close();
    this.file = undefined;
  }
}
