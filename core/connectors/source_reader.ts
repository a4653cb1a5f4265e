/**
 * The source contract. A source task calls `pollNext` in its mailbox loop; the
 * reader emits records while the output has room and returns, so the task can
 * serve other mail (flushes, cancellation) between calls.
 * @module
 */

import type { JobPermissions } from "../config/job_permissions.ts";
import type { RecordOutput } from "../operators/stream_operator.ts";

/** Whether the task's outputs can take more records now (backpressure). */
export interface Availability {
  readonly available: boolean;
}

/** What a reader learns about its subtask. */
export interface SourceContext {
  readonly operatorName: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
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
   * This subtask's position now (called between pollNext calls): what a
   * checkpoint stores so a restarted job resumes here. Plain CBOR-able data.
   */
  snapshotState?(): unknown;
  /**
   * Resumes from the snapshots of every subtask of the previous run (in
   * subtask order), so a job restored at another parallelism redistributes
   * the remaining work. Called after open, before the first pollNext.
   */
  restoreState?(states: readonly unknown[]): void;
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
  /** What the source needs in the job's sandbox (network connectors), declared for the job. */
  readonly permissions?: JobPermissions;
}
