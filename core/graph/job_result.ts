/**
 * What running a job ends with: the counters of its tasks and vertices when
 * it finished, or where it failed.
 * @module
 */

/** Counters of a task (one subtask), reported when it ends. */
export interface TaskMetrics {
  /** Records read: from the inputs, or emitted by the source of a source task. */
  recordsIn: number;
  /** Records written to the task's outputs (not counting chained calls). */
  recordsOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Network buffers written. */
  buffersOut: number;
  /** Most buffers ever queued at one input channel. */
  maxInputQueueBuffers: number;
  /** Most buffers ever waiting for credit at one output channel. */
  maxOutputBacklogBuffers: number;
  /** Time spent waiting for room at the outputs (backpressure). */
  backpressuredMs: number;
  /**
   * The task's current watermark (event time, ms), reported while running:
   * the lowest its inputs reached, or for a source task the last it emitted.
   * Absent before the first watermark and after the last (end of input).
   */
  watermarkMs?: number;
}

/** Per-vertex counters of a finished job: sums over subtasks, maxima for the limits. */
export interface VertexMetrics extends TaskMetrics {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
}

/** What `execute()` resolves with. */
export interface JobExecutionResult {
  readonly jobId: string;
  readonly jobName: string;
  readonly state: "FINISHED";
  readonly durationMs: number;
  readonly slots: number;
  readonly vertices: VertexMetrics[];
}

/** Where a job failed. */
export interface TaskFailure {
  readonly operatorName: string;
  readonly vertexName: string;
  readonly subtaskIndex: number;
  readonly message: string;
  readonly stack?: string;
  /**
   * `notEnoughSlots`: the job could not get enough slots (the CLI exits 2, as
   * for a local run); `unrecoverable`: a restart cannot help (the job's code
   * builds another graph in the slots), so the job fails without one.
   */
  readonly reason?: "notEnoughSlots" | "unrecoverable";
}

/** A job ended FAILED; carries the failing operator, subtask and cause. */
export class JobExecutionError extends Error {
  override readonly name = "JobExecutionError";
  constructor(readonly jobName: string, readonly failure: TaskFailure) {
    super(
      `job '${jobName}' FAILED in operator '${failure.operatorName}' ` +
        `(subtask ${failure.subtaskIndex}): ${failure.message}`,
    );
  }
}
