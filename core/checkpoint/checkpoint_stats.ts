/**
 * Checkpoint statistics: one record per triggered checkpoint or savepoint, kept
 * for the REST history and bounded to the most recent entries (after Flink's
 * CheckpointStatsTracker). Plain data, no clock: callers pass timestamps.
 * @module
 */

/** A checkpoint is periodic ("checkpoint") or user-triggered ("savepoint"). */
export type CheckpointKind = "checkpoint" | "savepoint";

/** Where a checkpoint stands. */
export type CheckpointStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** What the REST history shows for one checkpoint. */
export interface CheckpointStats {
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly status: CheckpointStatus;
  readonly triggerTimestampMs: number;
  /** When it completed or failed; absent while in progress. */
  readonly endTimestampMs?: number;
  /** `endTimestampMs - triggerTimestampMs`; absent while in progress. */
  readonly durationMs?: number;
  /** Tasks that acknowledged so far. */
  readonly acknowledged: number;
  /** Tasks that had to acknowledge when it was triggered. */
  readonly totalTasks: number;
  /** Bytes of state written by the tasks that acknowledged. */
  readonly stateSizeBytes: number;
  /** Longest barrier alignment at one task (first to last barrier). */
  readonly maxAlignmentDurationMs: number;
  /** Longest synchronous part (the task paused to capture its state) at one task. */
  readonly maxSyncDurationMs: number;
  /** Longest asynchronous part (conversion and write) at one task. */
  readonly maxAsyncDurationMs: number;
  /** In-flight input stored with the state (unaligned checkpoints). */
  readonly persistedInFlightBytes: number;
  readonly failureReason?: string;
}

/**
 * How many checkpoints (and savepoints) of a job ended each way, since the job
 * started: running totals, not bounded by the history. A checkpoint whose
 * metadata could not be written after all its acknowledgements counts as
 * completed and then as failed.
 */
export interface CheckpointCounts {
  readonly completed: number;
  readonly failed: number;
  readonly inProgress: number;
}

/** What one task's acknowledgement adds to its checkpoint's statistics. */
export interface TaskAckStats {
  readonly stateSizeBytes?: number;
  readonly alignmentDurationMs?: number;
  readonly syncDurationMs?: number;
  readonly asyncDurationMs?: number;
  readonly inFlightBytes?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Default number of checkpoints the history keeps. */
export const DEFAULT_CHECKPOINT_HISTORY_SIZE = 100;

/**
 * The bounded history of checkpoint statistics, oldest first.
 *
 * @example
 * ```ts
 * import { CheckpointStatsHistory } from "./checkpoint_stats.ts";
 * const h = new CheckpointStatsHistory(10);
 * h.started(1, "checkpoint", 1000, 2);
 * h.completed(1, 1250);
 * h.list()[0].durationMs; // 250
 * ```
 */
export class CheckpointStatsHistory {
  private readonly entries = new Map<number, Mutable<CheckpointStats>>();
  private completedTotal = 0;
  private failedTotal = 0;

  constructor(readonly limit: number = DEFAULT_CHECKPOINT_HISTORY_SIZE) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`checkpoint history size must be an integer >= 1, got ${limit}`);
    }
  }

  /** Records a newly triggered checkpoint, evicting the oldest beyond the limit. */
  started(id: number, kind: CheckpointKind, triggerTimestampMs: number, totalTasks: number): void {
    this.entries.set(id, {
      id,
      kind,
      status: "IN_PROGRESS",
      triggerTimestampMs,
      acknowledged: 0,
      totalTasks,
      stateSizeBytes: 0,
      maxAlignmentDurationMs: 0,
      maxSyncDurationMs: 0,
      maxAsyncDurationMs: 0,
      persistedInFlightBytes: 0,
    });
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Counts one acknowledgement and adds its figures. */
  acknowledged(id: number, task: TaskAckStats = {}): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.acknowledged++;
    e.stateSizeBytes += task.stateSizeBytes ?? 0;
    e.maxAlignmentDurationMs = Math.max(e.maxAlignmentDurationMs, task.alignmentDurationMs ?? 0);
    e.maxSyncDurationMs = Math.max(e.maxSyncDurationMs, task.syncDurationMs ?? 0);
    e.maxAsyncDurationMs = Math.max(e.maxAsyncDurationMs, task.asyncDurationMs ?? 0);
    e.persistedInFlightBytes += task.inFlightBytes ?? 0;
  }

  /** Marks a checkpoint completed. */
  completed(id: number, nowMs: number): void {
    this.end(id, "COMPLETED", nowMs);
  }

  /** Marks a checkpoint failed (also a completed one whose metadata could not be written). */
  failed(id: number, nowMs: number, reason: string): void {
    const e = this.end(id, "FAILED", nowMs);
    if (e) e.failureReason = reason;
  }

  /** A copy of checkpoint `id`'s record, if the history still keeps it. */
  get(id: number): CheckpointStats | undefined {
    const e = this.entries.get(id);
    return e && { ...e };
  }

  /** The running totals of ended checkpoints, and those in progress. */
  counts(): CheckpointCounts {
    let inProgress = 0;
    for (const e of this.entries.values()) if (e.status === "IN_PROGRESS") inProgress++;
    return { completed: this.completedTotal, failed: this.failedTotal, inProgress };
  }

  /** Copies of the kept records, oldest (lowest id) first. */
  list(): CheckpointStats[] {
    return [...this.entries.values()].map((e) => ({ ...e }));
  }

  private end(id: number, status: CheckpointStatus, nowMs: number) {
    const e = this.entries.get(id);
    if (!e) return undefined;
    if (status === "COMPLETED") this.completedTotal++;
    else this.failedTotal++;
    e.status = status;
    e.endTimestampMs = nowMs;
    e.durationMs = nowMs - e.triggerTimestampMs;
    return e;
  }
}
