/**
 * CheckpointCoordinator: decides when checkpoints start, collects the tasks'
 * acknowledgements and decides when they complete, time out or fail the job.
 * A deterministic state machine (no I/O, no clock, no timers): the caller feeds
 * it events with explicit timestamps and performs, in order, the effects each
 * event returns.
 * @module
 */

import {
  type CheckpointCounts,
  type CheckpointKind,
  type CheckpointStats,
  CheckpointStatsHistory,
  DEFAULT_CHECKPOINT_HISTORY_SIZE,
  type TaskAckStats,
} from "./checkpoint_stats.ts";
import { type CheckpointSettings, resolveCheckpointSettings } from "./checkpoint_settings.ts";
import type { CheckpointEffect, CompletedCheckpoint } from "./checkpoint_effects.ts";

/** Constructor options: settings plus where numbering and history start. */
export interface CheckpointCoordinatorOptions extends Partial<CheckpointSettings> {
  readonly intervalMs: number;
  /** Id of the checkpoint the job was restored from (0 if none); numbering continues after it. */
  readonly lastCompletedId?: number;
  /** How many checkpoints `history()` keeps (default 100). */
  readonly historySize?: number;
}

interface Pending {
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly triggerMs: number;
  readonly targetDir?: string;
  readonly awaiting: Set<string>;
  readonly handles: Map<string, unknown>;
}

/**
 * Triggers, tracks and completes checkpoints for one job.
 *
 * @example
 * ```ts
 * import { CheckpointCoordinator } from "./checkpoint_coordinator.ts";
 * const c = new CheckpointCoordinator({ intervalMs: 1000 });
 * c.setTasks(["src", "sink"], ["src"]);
 * c.tick(0); // [] - the interval starts now
 * c.tick(1000); // [{ type: "trigger", checkpointId: 1, sources: ["src"], ... }]
 * c.acknowledge("src", 1, "h1", 1010); // []
 * c.acknowledge("sink", 1, "h2", 1020); // [complete (handles src, sink), notifyComplete 1]
 * ```
 */
export class CheckpointCoordinator {
  readonly settings: CheckpointSettings;
  private tasks: readonly string[] = [];
  private sources: readonly string[] = [];
  private readonly finished = new Set<string>();
  private readonly pending = new Map<number, Pending>();
  private readonly stats: CheckpointStatsHistory;
  private nextId: number;
  private periodStartMs: number | undefined;
  private lastCompletionMs: number | undefined;
  private failures = 0;

  constructor(options: CheckpointCoordinatorOptions) {
    const { lastCompletedId = 0, historySize = DEFAULT_CHECKPOINT_HISTORY_SIZE } = options;
    this.settings = resolveCheckpointSettings(options);
    if (!Number.isInteger(lastCompletedId) || lastCompletedId < 0) {
      throw new RangeError(`lastCompletedId must be an integer >= 0, got ${lastCompletedId}`);
    }
    this.nextId = lastCompletedId + 1;
    this.stats = new CheckpointStatsHistory(historySize);
  }

  /** Sets the tasks that acknowledge and the sources that are triggered, when a job (re)starts. */
  setTasks(all: readonly string[], sources: readonly string[]): void {
    if (this.pending.size > 0) {
      throw new Error(`setTasks with checkpoints ${this.pendingIds} pending: call reset() first`);
    }
    const missing = sources.filter((s) => !all.includes(s));
    if (missing.length > 0) throw new Error(`sources ${missing} are not among the tasks ${all}`);
    this.tasks = [...all];
    this.sources = [...sources];
    this.finished.clear();
    this.periodStartMs = undefined;
  }

  /** Times out overdue checkpoints, then triggers a periodic one when due. */
  tick(nowMs: number): CheckpointEffect[] {
    const effects: CheckpointEffect[] = [];
    for (const p of [...this.pending.values()]) {
      if (nowMs - p.triggerMs >= this.settings.timeoutMs) {
        const reason = `expired after ${this.settings.timeoutMs} ms without acks from ` +
          [...p.awaiting].join(", ");
        effects.push(...this.fail(p, reason, nowMs, true));
      }
    }
    if (this.periodicDue(nowMs)) effects.push(...this.trigger(nowMs, "checkpoint"));
    return effects;
  }

  /**
   * Triggers a savepoint now, ignoring the interval, the min pause and maxConcurrent;
   * checkpoints in progress continue. With no running source it fails at once (an abort).
   */
  triggerSavepoint(nowMs: number, targetDir?: string): CheckpointEffect[] {
    return this.trigger(nowMs, "savepoint", targetDir);
  }

  /** A task's snapshot is done; acks for unknown, stale or already acked ids are ignored. */
  acknowledge(
    taskId: string,
    checkpointId: number,
    handle: unknown,
    nowMs: number,
    stats?: TaskAckStats,
  ): CheckpointEffect[] {
    const p = this.pending.get(checkpointId);
    if (!p || !p.awaiting.delete(taskId)) return [];
    p.handles.set(taskId, handle);
    this.stats.acknowledged(checkpointId, stats);
    return p.awaiting.size === 0 ? this.complete(p, nowMs) : [];
  }

  /** A task could not take its snapshot: the checkpoint is aborted (a failure). */
  decline(taskId: string, checkpointId: number, reason: string, nowMs: number): CheckpointEffect[] {
    const p = this.pending.get(checkpointId);
    if (!p || !(p.awaiting.has(taskId) || p.handles.has(taskId))) return [];
    return this.fail(p, `declined by task ${taskId}: ${reason}`, nowMs, true);
  }

  /**
   * A task finished (bounded input): it no longer acks or, as a source, gets
   * triggers. A pending checkpoint that waited for it counts it as
   * acknowledged with no state (it has none left), so a completed
   * checkpoint's statistics always show every task it waited for.
   */
  taskFinished(taskId: string, nowMs: number): CheckpointEffect[] {
    if (!this.tasks.includes(taskId)) return [];
    this.finished.add(taskId);
    const effects: CheckpointEffect[] = [];
    for (const p of [...this.pending.values()]) {
      if (!this.pending.has(p.id) || !p.awaiting.delete(taskId)) continue;
      this.stats.acknowledged(p.id);
      if (p.awaiting.size === 0) effects.push(...this.complete(p, nowMs));
    }
    return effects;
  }

  /** Writing the metadata of a completed checkpoint failed: it counts as failed after all. */
  completionFailed(checkpointId: number, reason: string, nowMs: number): CheckpointEffect[] {
    const s = this.stats.get(checkpointId);
    if (s?.status !== "COMPLETED") return [];
    this.stats.failed(checkpointId, nowMs, `metadata not written: ${reason}`);
    const effects: CheckpointEffect[] = [{ type: "abort", checkpointId, reason }];
    if (s.kind === "checkpoint") effects.push(...this.countFailure(checkpointId, reason));
    return effects;
  }

  /**
   * Failover: aborts every pending checkpoint (not counted as failures) and
   * forgets the tasks, so nothing is triggered until the next attempt's tasks
   * all run (`setTasks`). They keep their ids across attempts: a trigger in
   * between reached a task still deploying, which declined it ("task is not
   * running"), and that failure restarted the job again, attempt after attempt.
   */
  reset(nowMs: number): CheckpointEffect[] {
    const effects: CheckpointEffect[] = [];
    for (const p of [...this.pending.values()]) effects.push(...this.fail(p, "job reset", nowMs));
    this.tasks = [];
    this.sources = [];
    this.finished.clear();
    this.periodStartMs = undefined;
    return effects;
  }

  /** Ids of the checkpoints in progress, ascending. */
  get pendingIds(): number[] {
    return [...this.pending.keys()];
  }

  /** Statistics of the most recent checkpoints, oldest first. */
  history(): CheckpointStats[] {
    return this.stats.list();
  }

  /** How many checkpoints completed and failed so far, and how many are in progress. */
  counts(): CheckpointCounts {
    return this.stats.counts();
  }

  private periodicDue(nowMs: number): boolean {
    const { intervalMs, minPauseMs, maxConcurrent } = this.settings;
    if (intervalMs === 0 || !this.sources.some((s) => !this.finished.has(s))) return false;
    this.periodStartMs ??= nowMs;
    if (nowMs - this.periodStartMs < intervalMs) return false;
    if (this.lastCompletionMs !== undefined && nowMs - this.lastCompletionMs < minPauseMs) {
      return false;
    }
    return this.pending.size < maxConcurrent;
  }

  private trigger(nowMs: number, kind: CheckpointKind, targetDir?: string): CheckpointEffect[] {
    const checkpointId = this.nextId++;
    const sources = this.sources.filter((s) => !this.finished.has(s));
    const awaiting = new Set(this.tasks.filter((t) => !this.finished.has(t)));
    this.stats.started(checkpointId, kind, nowMs, awaiting.size);
    if (sources.length === 0) {
      const reason = "no running source task to trigger";
      this.stats.failed(checkpointId, nowMs, reason);
      return [{ type: "abort", checkpointId, reason }];
    }
    const p = { id: checkpointId, kind, triggerMs: nowMs, targetDir, awaiting, handles: new Map() };
    this.pending.set(checkpointId, p);
    if (kind === "checkpoint") this.periodStartMs = nowMs;
    const dir = targetDir === undefined ? {} : { targetDir };
    return [{ type: "trigger", checkpointId, timestampMs: nowMs, kind, sources, ...dir }];
  }

  private complete(p: Pending, nowMs: number): CheckpointEffect[] {
    this.pending.delete(p.id);
    this.stats.completed(p.id, nowMs);
    this.failures = 0;
    this.lastCompletionMs = nowMs;
    const checkpoint: CompletedCheckpoint = {
      id: p.id,
      kind: p.kind,
      triggerTimestampMs: p.triggerMs,
      completionTimestampMs: nowMs,
      durationMs: nowMs - p.triggerMs,
      handles: p.handles,
      finishedTasks: this.tasks.filter((t) => this.finished.has(t)),
      ...(p.targetDir === undefined ? {} : { targetDir: p.targetDir }),
    };
    const effects: CheckpointEffect[] = [
      { type: "complete", checkpoint },
      { type: "notifyComplete", checkpointId: p.id },
    ];
    for (const older of [...this.pending.values()]) {
      if (older.id < p.id && older.kind === "checkpoint") {
        effects.push(...this.fail(older, `subsumed by checkpoint ${p.id}`, nowMs));
      }
    }
    return effects;
  }

  private fail(p: Pending, reason: string, nowMs: number, counts = false): CheckpointEffect[] {
    this.pending.delete(p.id);
    this.stats.failed(p.id, nowMs, reason);
    const effects: CheckpointEffect[] = [{ type: "abort", checkpointId: p.id, reason }];
    if (counts && p.kind === "checkpoint") effects.push(...this.countFailure(p.id, reason));
    return effects;
  }

  private countFailure(id: number, reason: string): CheckpointEffect[] {
    if (++this.failures <= this.settings.tolerableFailures) return [];
    const n = this.failures;
    this.failures = 0;
    return [{
      type: "failJob",
      reason: `checkpoint ${id} failed (${reason}): ${n} consecutive checkpoint failures exceed ` +
        `tolerableFailures=${this.settings.tolerableFailures}`,
    }];
  }
}
