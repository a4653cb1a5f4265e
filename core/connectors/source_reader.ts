/**
 * The source contract. A source task calls `pollNext` in its mailbox loop; the
 * reader emits records while the output has room and returns, so the task can
 * serve other mail (flushes, cancellation) between calls.
 * @module
 */

import type { JobPermissions } from "../config/job_permissions.ts";
import type { RecordOutput } from "../operators/stream_operator.ts";
import type { IngestHost } from "./http_ingest/ingest_protocol.ts";

/** Whether the task's outputs can take more records now (backpressure). */
export interface Availability {
  readonly available: boolean;
}

/** What a reader learns about its subtask. */
export interface SourceContext {
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /**
   * True when the job takes checkpoints: a reader that acknowledges messages
   * to an external system waits for `notifyCheckpointComplete`; without
   * checkpoints it may acknowledge a message once it emitted it.
   */
  readonly checkpointing?: boolean;
  /** The worker's HTTP ingest endpoint (`HttpIngestSource`); absent outside a worker's slot. */
  readonly ingest?: IngestHost;
}

/** Reads one subtask's share of a source. */
export interface SourceReader<T> {
  open(ctx: SourceContext): void | Promise<void>;
  /**
   * Emits at most `maxRecords` records, stopping early when `gate` turns
   * unavailable. Returns false once the reader is exhausted.
   */
  pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): boolean | Promise<boolean>;
  close(): void | Promise<void>;
  /**
   * This subtask's position now (called between pollNext calls): what
   * checkpoint `checkpointId` stores so a restarted job resumes here. Plain
   * CBOR-able data. The checkpoint covers exactly the records emitted before
   * this call, so a reader that acknowledges messages to a broker records
   * here which messages belong to `checkpointId` and acknowledges them in
   * {@linkcode SourceReader.notifyCheckpointComplete}.
   */
  snapshotState?(checkpointId: number): unknown;
  /**
   * Checkpoint `checkpointId` completed (and every earlier one with it): the
   * records emitted before its `snapshotState` are durable downstream, so
   * the reader may acknowledge them to the external system now. Called
   * between pollNext calls; a throw fails the task.
   */
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  /**
   * Resumes from the snapshots of every subtask of the previous run (in
   * subtask order), so a job restored at another parallelism redistributes
   * the remaining work. Called after open, before the first pollNext.
   */
  restoreState?(states: readonly unknown[]): void;
  /**
   * True while the subtask has nothing assigned to read (no split, no file:
   * it waits for input to appear). Asked between pollNext calls; the task
   * then marks the stream idle, so the watermarks downstream do not wait
   * for this subtask (Flink's readers without splits). A subtask whose input
   * ended finishes instead, which releases the watermark for good.
   */
  isIdle?(): boolean;
}

/** A source as the job graph knows it. */
export interface SourceSpec<T> {
  /** True when the source ends (bounded), false when it runs forever. */
  readonly bounded: boolean;
  /** Largest parallelism the source supports (1 for collections). */
  readonly maxParallelism?: number;
  /**
   * False when a restored job must run the source at the parallelism its
   * snapshot was taken at, because its subtasks' positions cannot be
   * redistributed (an unbounded generator). Default true.
   */
  readonly rescalable?: boolean;
  createReader(): SourceReader<T>;
  /**
   * The Deno permissions the source's readers need in the job's slots (e.g.
   * `{ net: ["127.0.0.1:1883"] }` for a broker), added to the job's sandbox.
   */
  readonly permissions?: JobPermissions;
}

/**
 * Emits `records[from..]` while `budget` lasts and `gate` stays available;
 * returns the index reached. The loop a reader with a buffer of parsed
 * records (lines of a file or a socket) runs in `pollNext`.
 */
export function emitBuffered<T>(
  records: readonly T[],
  from: number,
  budget: number,
  output: RecordOutput<T>,
  gate: Availability,
): number {
  const end = Math.min(records.length, from + budget);
  let i = from;
  while (i < end && gate.available) output.collect(records[i++]);
  return i;
}
