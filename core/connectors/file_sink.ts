/**
 * Exactly-once file sink (after Flink's FileSink with two-phase commit).
 * Records go, one line each, into a hidden in-progress part file
 * (`.part-<subtask>-<run>-<n>.inprogress`). At a checkpoint barrier the part
 * file is closed and becomes pending for that checkpoint (its name is in the
 * checkpoint's operator state); when the checkpoint completes everywhere, the
 * pending files are committed by renaming them to `part-<subtask>-<run>-<n>`.
 * Readers that skip dot files therefore never see uncommitted data. After a
 * failure the task restores the pending files of the checkpoint it restarts
 * from and commits them (renames are idempotent); in-progress files written
 * after that checkpoint stay hidden and are replaced by the replay.
 *
 * Without checkpointing the sink commits its part file when its input ends.
 * @module
 */

import type { JobPermissions } from "../config/job_permissions.ts";
import type { ListState } from "../api/state.ts";
import { ListStateDescriptor } from "../api/state.ts";
import { formatRecord } from "../operators/format.ts";
import { AbstractStreamOperator, type OperatorFactory } from "../operators/stream_operator.ts";

/** A part file written but not yet visible: committed by renaming `from` to `to`. */
interface PendingFile {
  readonly from: string;
  readonly to: string;
  readonly checkpointId: number;
}

/** Characters buffered before a write to the part file. */
const WRITE_CHARS = 256 * 1024;

/** A sink a DataStream can be sent to with `sinkTo`. */
export interface Sink {
  /** Operator name shown in plans and metrics. */
  readonly name: string;
  /** Builds the sink operator of one subtask. */
  readonly createOperator: OperatorFactory;
  /** The Deno permissions its writers need in the job's slots (e.g. a broker's or a server's `host:port`). */
  readonly permissions?: JobPermissions;
}

/**
 * Builder of the exactly-once file sink.
 *
 * @example
 * ```ts
 * import { FileSink, StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment().enableCheckpointing(1000);
 * env.fromElements("a", "b").sinkTo(FileSink.forRowFormat("out").build());
 * ```
 */
export class FileSink {
  private constructor(private readonly dir: string) {}

  /** One line per record (strings as they are, other values as JSON) under `dir`. */
  static forRowFormat(dir: string): FileSink {
    if (typeof dir !== "string" || dir === "") {
      throw new TypeError("FileSink.forRowFormat needs a directory path");
    }
    return new FileSink(dir);
  }

  build(): Sink {
    const dir = this.dir;
    return {
      name: `Sink: File ${dir}`,
      createOperator: () => new FileSinkOperator(dir),
    };
  }
}

/** One subtask of the file sink. */
export class FileSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private readonly run = crypto.randomUUID().slice(0, 8);
  private readonly encoder = new TextEncoder();
  private file: Deno.FsFile | undefined;
  private current: { from: string; to: string } | undefined;
  private buffered = "";
  private partCounter = 0;
  /** Closed part files waiting for their checkpoint to complete, oldest first. */
  private pending: PendingFile[] = [];
  private state!: ListState<PendingFile>;

  constructor(private readonly dir: string) {
    super();
  }

  override open(): void {
    try {
      Deno.mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new Error(`cannot create sink directory ${this.dir}: ${(e as Error).message}`, {
        cause: e,
      });
    }
    this.state = this.ctx.operatorState.getListState(
      new ListStateDescriptor<PendingFile>("pending-part-files"),
    );
    // Pending files of the checkpoint this task was restored from: that checkpoint completed.
    for (const p of this.state.get()) this.commit(p);
    this.state.clear();
  }

  processElement(record: T): void {
    this.buffered += formatRecord(record) + "\n";
    if (this.buffered.length >= WRITE_CHARS) this.write();
  }

  flush(): void {
    this.write();
  }

  override snapshotState(checkpointId: number): void {
    this.write();
    this.closePart(checkpointId);
    this.state.update(this.pending);
  }

  override notifyCheckpointComplete(checkpointId: number): void {
    while (this.pending.length > 0 && this.pending[0].checkpointId <= checkpointId) {
      this.commit(this.pending.shift()!);
    }
  }

  override close(): void {
    // The input ended. With checkpointing, the final checkpoint covered every
    // record from the sources; what remains came from end-of-input emissions.
    this.write();
    this.closePart(Number.MAX_SAFE_INTEGER);
    for (const p of this.pending.splice(0)) this.commit(p);
  }

  private write(): void {
    if (this.buffered.length === 0) return;
    if (this.file === undefined) this.openPart();
    const bytes = this.encoder.encode(this.buffered);
    this.buffered = "";
    for (let off = 0; off < bytes.length;) off += this.file!.writeSync(bytes.subarray(off));
  }

  private openPart(): void {
    const name = `part-${this.ctx.subtaskIndex}-${this.run}-${this.partCounter++}`;
    this.current = { from: `${this.dir}/.${name}.inprogress`, to: `${this.dir}/${name}` };
    try {
      this.file = Deno.openSync(this.current.from, { write: true, createNew: true });
    } catch (e) {
      throw new Error(`cannot create part file ${this.current.from}: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }

  private closePart(checkpointId: number): void {
    if (this.file === undefined || this.current === undefined) return;
    this.file.close();
    this.file = undefined;
    this.pending.push({ ...this.current, checkpointId });
    this.current = undefined;
  }

  /** Makes a part file visible; a file already renamed (a commit repeated after a restore) is fine. */
  private commit(p: PendingFile): void {
    try {
      Deno.renameSync(p.from, p.to);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound && exists(p.to)) return;
      throw new Error(`cannot commit part file ${p.from}: ${(e as Error).message}`, { cause: e });
    }
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
