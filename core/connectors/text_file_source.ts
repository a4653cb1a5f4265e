/**
 * Text file source: reads a file or a directory line by line, in parallel by
 * byte-range splits. Lines end at `\n`; a trailing `\r` is dropped.
 * @module
 */

import type { RecordOutput } from "../operators/stream_operator.ts";
import {
  type Availability,
  emitBuffered,
  type SourceContext,
  type SourceReader,
  type SourceSpec,
} from "./source_reader.ts";
import {
  inputSplits,
  listInputFiles,
  splitKey,
  splitLayout,
  splitsForSubtask,
  type TextSplit,
} from "./text_splits.ts";

const READ_CHUNK_BYTES = 1 << 20;
/**
 * Bytes read at once past where a split's lines are known to be: to find
 * the first line it owns, and the end of its last line. (Each split read a
 * whole chunk for each before: 2 MiB of reads, and a fresh 1 MiB buffer, for
 * a split of 86 KB; 0.7 ms a split.)
 */
const LINE_PROBE_BYTES = 16 * 1024;
const NL = 10;

/** Reads the lines a split owns, a chunk at a time. */
class SplitLineReader {
  private file: Deno.FsFile | undefined;
  private offset = 0;
  private carry = new Uint8Array(0);
  private done = false;
  private readonly decoder = new TextDecoder();

  /** `buf`: the reader's chunk buffer, shared by its splits (one is read at a time). */
  constructor(private readonly split: TextSplit, private readonly buf: Uint8Array) {}

  /** The next batch of complete lines, or undefined at the end of the split. */
  async next(): Promise<string[] | undefined> {
    if (this.done) return undefined;
    if (this.file === undefined && !(await this.start())) return this.finish();
    // The rest of the split and a probe for the end of its last line, at most a chunk.
    const want = Math.min(
      this.buf.length,
      Math.max(0, this.split.end - this.offset) + LINE_PROBE_BYTES,
    );
    const n = await this.file!.read(this.buf.subarray(0, want));
    if (n === null || n === 0) {
      const last = this.carry.length > 0 ? [this.decode(this.carry)] : [];
      this.finish();
      return last;
    }
    const data = this.concat(this.buf.subarray(0, n));
    const dataStart = this.offset - this.carry.length;
    this.offset += n;
    // Stop after the newline that ends the line holding byte end - 1.
    const from = Math.max(0, this.split.end - 1 - dataStart);
    if (from < data.length) {
      const stop = data.indexOf(NL, from);
      if (stop >= 0) {
        this.finish();
        return this.lines(data.subarray(0, stop));
      }
    }
    const lastNl = data.lastIndexOf(NL);
    if (lastNl < 0) {
      this.carry = data.slice();
      return [];
    }
    this.carry = data.slice(lastNl + 1);
    return this.lines(data.subarray(0, lastNl));
  }

  close(): void {
    this.finish();
  }

  /** Opens the file and positions at the first line the split owns. */
  private async start(): Promise<boolean> {
    const { path, start, end } = this.split;
    this.file = await Deno.open(path, { read: true });
    if (start === 0) return end > 0;
    await this.file.seek(start - 1, Deno.SeekMode.Start);
    let pos = start - 1;
    for (;;) {
      const n = await this.file.read(this.buf.subarray(0, LINE_PROBE_BYTES));
      if (n === null || n === 0) return false;
      const nl = this.buf.subarray(0, n).indexOf(NL);
      if (nl >= 0) {
        pos += nl + 1;
        if (pos >= end) return false;
        this.offset = pos;
        await this.file.seek(pos, Deno.SeekMode.Start);
        return true;
      }
      pos += n;
    }
  }

  private finish(): undefined {
    this.done = true;
    this.file?.close();
    this.file = undefined;
    return undefined;
  }

  private concat(chunk: Uint8Array): Uint8Array {
    if (this.carry.length === 0) return chunk;
    const data = new Uint8Array(this.carry.length + chunk.length);
    data.set(this.carry);
    data.set(chunk, this.carry.length);
    return data;
  }

  private decode(bytes: Uint8Array): string {
    const s = this.decoder.decode(bytes);
    return s.endsWith("\r") ? s.slice(0, -1) : s;
  }

  /** Lines of a region that ends just before a newline. */
  private lines(region: Uint8Array): string[] {
    const lines = this.decoder.decode(region).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    return lines;
  }
}

/** Checkpointed position: per split, the lines already emitted (-1: the whole split). */
type SplitProgress = [key: string, lines: number][];

class TextFileReader implements SourceReader<string> {
  private splits: TextSplit[] = [];
  /** Index in `splits` of the split being read. */
  private splitIndex = 0;
  private current: SplitLineReader | undefined;
  /** The chunk buffer of every split this reader reads (made at the first). */
  private buf: Uint8Array | undefined;
  private pending: string[] = [];
  private pendingIndex = 0;
  /** Position in the current split: lines emitted (or skipped as emitted before a restore). */
  private emitted = 0;
  /** Lines still to drop at the start of the current split. */
  private toDrop = 0;
  /** Restored positions of splits, by key. */
  private restored = new Map<string, number>();

  private parallelism = 1;
  private subtaskIndex = 0;

  constructor(private readonly path: string) {}

  open(ctx: SourceContext): void {
    this.parallelism = ctx.parallelism;
    this.subtaskIndex = ctx.subtaskIndex;
    this.assignSplits(new Map());
    this.enterSplit(0);
  }

  /** This subtask's splits, with the files of `layout` split as it says. */
  private assignSplits(layout: ReadonlyMap<string, readonly TextSplit[]>): void {
    const all = inputSplits(listInputFiles(this.path), layout);
    this.splits = splitsForSubtask(all, this.parallelism, this.subtaskIndex);
  }

  async pollNext(
    output: RecordOutput<string>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    let budget = maxRecords;
    for (;;) {
      const pending = this.pending;
      const reached = emitBuffered(pending, this.pendingIndex, budget, output, gate);
      this.emitted += reached - this.pendingIndex;
      budget -= reached - this.pendingIndex;
      this.pendingIndex = reached;
      if (this.pendingIndex < pending.length || budget === 0 || !gate.available) return true;
      const lines = await this.nextLines();
      if (lines === undefined) return false;
      this.pending = lines;
      this.pendingIndex = 0;
    }
  }

  snapshotState(): SplitProgress {
    return this.splits.map((s, i) => [
      splitKey(s),
      i < this.splitIndex
        ? -1
        : i === this.splitIndex
        ? this.emitted
        : this.restored.get(splitKey(s)) ?? 0,
    ]);
  }

  restoreState(states: readonly unknown[]): void {
    this.restored = new Map((states as SplitProgress[]).flat());
    // A checkpoint taken with other split sizes: its files keep the splits it saved.
    this.assignSplits(splitLayout(this.restored.keys()));
    // Finished splits are dropped; partly read ones skip their emitted lines.
    this.splits = this.splits.filter((s) => this.restored.get(splitKey(s)) !== -1);
    this.enterSplit(0);
  }

  close(): void {
    this.current?.close();
  }

  private enterSplit(i: number): void {
    this.splitIndex = i;
    const split = this.splits[i];
    this.emitted = split ? this.restored.get(splitKey(split)) ?? 0 : 0;
    this.toDrop = this.emitted;
  }

  private async nextLines(): Promise<string[] | undefined> {
    for (;;) {
      if (this.current === undefined) {
        const split = this.splits[this.splitIndex];
        if (split === undefined) return undefined;
        this.current = new SplitLineReader(split, this.buf ??= new Uint8Array(READ_CHUNK_BYTES));
      }
      const lines = await this.current.next();
      if (lines !== undefined) return this.dropRestored(lines);
      this.current = undefined;
      this.enterSplit(this.splitIndex + 1);
    }
  }

  /** Drops the lines a restored position says were emitted already. */
  private dropRestored(lines: string[]): string[] {
    if (this.toDrop === 0) return lines;
    const dropped = Math.min(this.toDrop, lines.length);
    this.toDrop -= dropped;
    return dropped === lines.length ? [] : lines.slice(dropped);
  }
}

/** A bounded source of the lines of a file, or of every file under a directory. */
export function textFileSource(path: string): SourceSpec<string> {
  return { bounded: true, createReader: () => new TextFileReader(path) };
}
