/**
 * Continuous text file source (Flink's `FileProcessingMode.PROCESS_CONTINUOUSLY`):
 * watches a directory, scanning it every `intervalMs`, and reads each new file
 * line by line once. Each file belongs to one subtask (by a hash of its path),
 * so subtasks scan independently and need no coordinator.
 *
 * The checkpointed position is the set of files read to their end and, for the
 * file being read, the byte offset of a line start plus the lines emitted after
 * it. A restored job (at any parallelism: the file sets are merged and files
 * re-hashed) skips the finished files and resumes the others where they stood,
 * so nothing is read twice or skipped.
 *
 * Files must appear whole: write them under a hidden name (a leading dot, which
 * scans ignore) and rename them into place. A file that grows after it was read
 * to its end is not read again.
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
import { listInputFiles } from "./text_splits.ts";

/** Options of `readTextFile(path, { continuous: true, ... })`. */
export interface ContinuousFileOptions {
  /** Time between two scans of the directory for new files (default 1000 ms). */
  readonly intervalMs?: number;
}

export const DEFAULT_MONITOR_INTERVAL_MS = 1000;
const READ_CHUNK_BYTES = 1 << 20;
/** Longest a poll waits for new data, so checkpoints and cancels are served. */
const IDLE_WAIT_MS = 50;
const NL = 10;

/** A subtask's checkpointed progress. */
interface FileProgress {
  /** Files read to their end. */
  readonly done: string[];
  /** The file being read: the byte offset of a line start and the lines emitted from there. */
  readonly current?: [path: string, offset: number, lines: number];
}

/** The subtask that reads `path` (FNV-1a of the path: the same in every process). */
export function ownerOf(path: string, parallelism: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % parallelism;
}

/** Reads one file from a line start, a chunk of complete lines at a time. */
class FileLineChunks {
  private readonly buf = new Uint8Array(READ_CHUNK_BYTES);
  private readonly decoder = new TextDecoder();
  private carry = new Uint8Array(0);
  private file: Deno.FsFile | undefined;
  /** Byte offset just after what was read so far. */
  private readAt: number;

  constructor(readonly path: string, offset: number) {
    this.readAt = offset;
  }

  /**
   * The next lines and the offset of the line start after them, or undefined
   * at the end of the file. Lines end at `\n`; a trailing `\r` is dropped.
   */
  async next(): Promise<{ lines: string[]; end: number } | undefined> {
    if (this.file === undefined) {
      this.file = await Deno.open(this.path, { read: true });
      await this.file.seek(this.readAt, Deno.SeekMode.Start);
    }
    for (;;) {
      const n = await this.file.read(this.buf);
      if (n === null || n === 0) {
        if (this.carry.length === 0) return undefined;
        const last = this.carry;
        this.carry = new Uint8Array(0);
        return { lines: this.split(last), end: this.readAt };
      }
      const data = this.concat(this.buf.subarray(0, n));
      this.readAt += n;
      const lastNl = data.lastIndexOf(NL);
      if (lastNl < 0) {
        this.carry = data.slice();
        continue;
      }
      this.carry = data.slice(lastNl + 1);
      return { lines: this.split(data.subarray(0, lastNl)), end: this.readAt - this.carry.length };
    }
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }

  private concat(chunk: Uint8Array): Uint8Array {
    if (this.carry.length === 0) return chunk;
    const data = new Uint8Array(this.carry.length + chunk.length);
    data.set(this.carry);
    data.set(chunk, this.carry.length);
    return data;
  }

  private split(region: Uint8Array): string[] {
    const lines = this.decoder.decode(region).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i];
      if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    return lines;
  }
}

class ContinuousFileReader implements SourceReader<string> {
  private ctx!: SourceContext;
  private readonly done = new Set<string>();
  /** Restored positions of files not finished, by path. */
  private resumeAt = new Map<string, [offset: number, lines: number]>();
  /** Files found by a scan, not started yet, in name order. */
  private queue: string[] = [];
  private reading: FileLineChunks | undefined;
  /** Lines of the current chunk and how many were emitted. */
  private pending: string[] = [];
  private pendingIndex = 0;
  /** Offset of the line start where `pending` begins, and where the next chunk begins. */
  private pendingStart = 0;
  private nextStart = 0;
  /** Lines at the head of the next chunk that were emitted before a restore. */
  private toDrop = 0;
  private nextScanAt = 0;

  constructor(private readonly path: string, private readonly intervalMs: number) {}

  open(ctx: SourceContext): void {
    this.ctx = ctx;
    // A missing directory fails the job at start, naming the path.
    listInputFiles(this.path);
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
      budget -= reached - this.pendingIndex;
      this.pendingIndex = reached;
      if (this.pendingIndex < pending.length || budget === 0 || !gate.available) return true;
      if (!(await this.nextChunk())) {
        await new Promise((r) =>
          setTimeout(r, Math.max(1, Math.min(IDLE_WAIT_MS, this.untilScan())))
        );
        return true;
      }
    }
  }

  snapshotState(): FileProgress {
    const done = [...this.done];
    if (this.reading === undefined) return { done };
    const emittedAll = this.pendingIndex >= this.pending.length;
    return {
      done,
      current: emittedAll
        ? [this.reading.path, this.nextStart, this.toDrop]
        : [this.reading.path, this.pendingStart, this.pendingIndex],
    };
  }

  restoreState(states: readonly unknown[]): void {
    const all = states as FileProgress[];
    for (const s of all) for (const f of s.done) this.done.add(f);
    this.resumeAt = new Map(
      all.flatMap((s) =>
        s.current === undefined ? [] : [[s.current[0], [s.current[1], s.current[2]]]]
      ),
    );
  }

  close(): void {
    this.reading?.close();
  }

  /** No file to read now: none of the files found so far is this subtask's, or all are read. */
  isIdle(): boolean {
    return this.reading === undefined && this.queue.length === 0 &&
      this.pendingIndex >= this.pending.length;
  }

  private untilScan(): number {
    return this.nextScanAt - Date.now();
  }

  /** Loads the next chunk of lines into `pending`; false when there is nothing to read now. */
  private async nextChunk(): Promise<boolean> {
    for (;;) {
      if (this.reading === undefined && !this.startNextFile()) return false;
      const chunk = await this.reading!.next();
      if (chunk === undefined) {
        this.done.add(this.reading!.path);
        this.reading!.close();
        this.reading = undefined;
        this.pending = [];
        this.pendingIndex = 0;
        continue;
      }
      const drop = Math.min(this.toDrop, chunk.lines.length);
      this.toDrop -= drop;
      this.pendingStart = this.nextStart;
      this.pending = chunk.lines;
      this.pendingIndex = drop;
      this.nextStart = chunk.end;
      if (drop < chunk.lines.length) return true;
    }
  }

  /** Opens the next queued file, scanning the directory when due; false when none is new. */
  private startNextFile(): boolean {
    if (this.queue.length === 0 && this.untilScan() <= 0) this.scan();
    const path = this.queue.shift();
    if (path === undefined) return false;
    const [offset, lines] = this.resumeAt.get(path) ?? [0, 0];
    this.resumeAt.delete(path);
    this.reading = new FileLineChunks(path, offset);
    this.pendingStart = this.nextStart = offset;
    this.toDrop = lines;
    return true;
  }

  private scan(): void {
    this.nextScanAt = Date.now() + this.intervalMs;
    const { parallelism, subtaskIndex } = this.ctx;
    this.queue = listInputFiles(this.path)
      .map((f) => f.path)
      .filter((p) => !this.done.has(p) && ownerOf(p, parallelism) === subtaskIndex);
  }
}

/** An unbounded source of the lines of every file that is or appears under `path`. */
export function continuousFileSource(
  path: string,
  options: ContinuousFileOptions = {},
): SourceSpec<string> {
  const intervalMs = options.intervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
  if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
    throw new RangeError(`readTextFile: intervalMs must be a positive number, got ${intervalMs}`);
  }
  return {
    bounded: false,
    createReader: () => new ContinuousFileReader(path, intervalMs),
  };
}
