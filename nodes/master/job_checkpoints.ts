/**
 * The JobMaster's side of checkpoints: drives the CheckpointCoordinator with
 * ticks and task reports, and carries out its effects: triggering source
 * tasks through their TaskExecutors, writing a completed checkpoint's
 * `_metadata` (tasks wrote their state files before they acknowledged),
 * notifying every task so two-phase commit sinks commit, and retaining the
 * newest completed checkpoints. Storage (a directory or an object store) is
 * written off the mailbox, one completed checkpoint after the other; a
 * checkpoint's notification waits for its metadata.
 * @module
 */

import { Logger } from "../../core/log/logger.ts";
import { CheckpointCoordinator } from "../../core/checkpoint/checkpoint_coordinator.ts";
import type { StopMode } from "../../core/checkpoint/barrier_aligner.ts";
import type {
  CheckpointEffect,
  CompletedCheckpoint,
} from "../../core/checkpoint/checkpoint_effects.ts";
import type { CheckpointCounts, CheckpointStats } from "../../core/checkpoint/checkpoint_stats.ts";
import {
  checkpointDir,
  type CheckpointMetadata,
  discardCheckpoint,
  isEmptyLocation,
  jobCheckpointsDir,
  moveStateFile,
  retainCompleted,
  savepointDir,
  writeMetadata,
} from "../../core/checkpoint/checkpoint_storage.ts";
import { basename } from "node:path";
import type { ActorRef } from "../rpc/actor.ts";
import { JobConflictError, OperationFailedError } from "../protocol/errors.ts";
import type { JobMasterMessage } from "../protocol/job_master.ts";
import type { TaskExecutorMessage } from "../protocol/task_executor.ts";
import type { TaskCheckpointHandle } from "../protocol/task_state.ts";
import type { JobCheckpointOptions } from "./job_checkpoint_options.ts";

const LOG = new Logger("checkpoints");

/** How often the JobMaster checks whether a checkpoint is due. */
export const CHECKPOINT_TICK_MS = 50;

/** One job's checkpoints: its coordinator, driven by the JobMaster, and their storage. */
export class JobCheckpoints {
  private readonly coordinator: CheckpointCoordinator;
  private readonly ticker: ReturnType<typeof setInterval>;
  private executors = new Map<string, ActorRef<TaskExecutorMessage>>();
  private tasks = new Map<string, { vertexId: number; subtaskIndex: number }>();
  /** The newest checkpoint whose metadata was written. */
  latestCompleted: CheckpointMetadata | undefined;
  /**
   * Savepoints in progress: checkpoint id -> the request waiting for its
   * directory, answered once the tasks were told (a cancel that follows must
   * not overtake the commit of the savepoint's output).
   */
  private readonly savepoints = new Map<
    number,
    { resolve(dir: string): void; reject(e: Error): void; location?: string }
  >();
  /**
   * The stop with savepoint in progress: its sources end once it completes,
   * so no periodic checkpoint starts meanwhile.
   */
  private stopping: { checkpointId: number; mode: StopMode } | undefined;
  /** Storage work in order: each completed checkpoint's metadata (and retention) after the last. */
  private storing: Promise<unknown> = Promise.resolve();
  /** Metadata writes not done yet, by checkpoint id: true once written, false if that failed. */
  private readonly stores = new Map<number, Promise<boolean>>();

  constructor(
    readonly options: JobCheckpointOptions,
    self: ActorRef<JobMasterMessage>,
    private readonly failJob: (reason: string) => void,
    lastCompletedId = 0,
  ) {
    const intervalMs = options.intervalMs;
    this.coordinator = new CheckpointCoordinator({
      ...options.tuning,
      intervalMs,
      lastCompletedId,
    });
    this.ticker = setInterval(
      () => self.tell({ type: "checkpointTick" }),
      intervalMs > 0 ? Math.min(CHECKPOINT_TICK_MS, intervalMs) : CHECKPOINT_TICK_MS,
    );
  }

  /** A new attempt is deployed: these tasks take part, these are sources. */
  deployed(
    tasks: {
      taskId: string;
      vertexId: number;
      subtaskIndex: number;
      source: boolean;
      executor: ActorRef<TaskExecutorMessage>;
    }[],
  ): void {
    this.perform(this.coordinator.reset(Date.now()));
    this.executors = new Map(tasks.map((t) => [t.taskId, t.executor]));
    this.tasks = new Map(tasks.map((t) => [t.taskId, t]));
    this.coordinator.setTasks(
      tasks.map((t) => t.taskId),
      tasks.filter((t) => t.source).map((t) => t.taskId),
    );
  }

  tick(): void {
    if (this.stopping !== undefined) return;
    this.perform(this.coordinator.tick(Date.now()));
  }
  /** A task stored its state for `checkpointId`. */
  acknowledge(taskId: string, checkpointId: number, handle: TaskCheckpointHandle): void {
    const stats = {
      stateSizeBytes: handle.file?.bytes,
      alignmentDurationMs: handle.alignmentDurationMs,
      syncDurationMs: handle.syncDurationMs,
      asyncDurationMs: handle.asyncDurationMs,
      inFlightBytes: handle.inFlightBytes,
    };
    this.perform(this.coordinator.acknowledge(taskId, checkpointId, handle, Date.now(), stats));
  }
  decline(taskId: string, checkpointId: number, reason: string): void {
    this.perform(this.coordinator.decline(taskId, checkpointId, reason, Date.now()));
  }
  taskFinished(taskId: string): void {
    this.perform(this.coordinator.taskFinished(taskId, Date.now()));
  }
  /** Failover or the end of the job: abandon what is in progress. */
  reset(): void {
    this.stopping = undefined;
    this.perform(this.coordinator.reset(Date.now()));
  }
  /**
   * Takes a savepoint now; resolves with its directory once it is complete.
   * With `stop`, the sources end once it completed (a stop with savepoint);
   * if it fails instead, the job fails over (a drained job cannot go on).
   */
  triggerSavepoint(targetDir?: string, stop?: StopMode): Promise<string> {
    if (this.stopping !== undefined) {
      return Promise.reject(
        new JobConflictError(
          `the job is being stopped with savepoint ${this.stopping.checkpointId} already`,
        ),
      );
    }
    const effects = this.coordinator.triggerSavepoint(Date.now(), targetDir);
    const trigger = effects.find((e) => e.type === "trigger");
    if (trigger !== undefined && stop !== undefined) {
      this.stopping = { checkpointId: trigger.checkpointId, mode: stop };
    }
    const result = trigger === undefined
      ? Promise.reject(
        new JobConflictError(
          `the savepoint could not start: ${
            effects.flatMap((e) => e.type === "abort" ? [e.reason] : []).join("; ") ||
            "no running source"
          }`,
        ),
      )
      : new Promise<string>((resolve, reject) =>
        this.savepoints.set(trigger.checkpointId, { resolve, reject })
      );
    this.perform(effects);
    return result;
  }

  /** Resolves once every completed checkpoint so far is stored (or failed to be). */
  async settled(): Promise<void> {
    await this.storing;
  }

  /** The job directory tasks write into: `<root>/<jobId>`. */
  get jobDir(): string {
    return jobCheckpointsDir(this.options.root, this.options.jobId);
  }

  history(): CheckpointStats[] {
    return this.coordinator.history();
  }
  /** The job's checkpoint totals (see CheckpointCounts). */
  counts(): CheckpointCounts {
    return this.coordinator.counts();
  }
  /**
   * The job ended. A finished or cancelled job's checkpoints are deleted (as
   * Flink does without externalized checkpoints); a failed job keeps them.
   */
  stop(discard = false): void {
    clearInterval(this.ticker);
    this.reset();
    for (const [id, s] of this.savepoints) {
      s.reject(new JobConflictError(`the job ended before savepoint ${id} completed`));
    }
    this.savepoints.clear();
    if (discard) {
      const dir = this.jobDir;
      this.storing = this.storing.then(() => discardCheckpoint(dir)).catch((e) =>
        LOG.warn(`cannot delete ${dir}: ${(e as Error).message}`)
      );
    }
  }

  private perform(effects: CheckpointEffect[]): void {
    for (const e of effects) {
      switch (e.type) {
        case "trigger":
          for (const taskId of e.sources) {
            this.executors.get(taskId)?.tell({
              type: "triggerCheckpoint",
              taskId,
              barrier: {
                id: e.checkpointId,
                timestampMs: e.timestampMs,
                savepoint: e.kind === "savepoint",
                ...(this.stopping?.checkpointId === e.checkpointId
                  ? { stop: this.stopping.mode }
                  : {}),
              },
            });
          }
          break;
        case "complete": {
          const id = e.checkpoint.id;
          const stored = this.storing.then(() => this.store(e.checkpoint));
          this.storing = stored;
          this.stores.set(id, stored);
          stored.finally(() => this.stores.delete(id));
          break;
        }
        case "failJob":
          this.failJob(e.reason);
          break;
        case "notifyComplete": {
          // The tasks of this attempt, told once the metadata is written (not if that failed).
          const executors = new Set(this.executors.values());
          const message = {
            type: "notifyCheckpointComplete" as const,
            jobId: this.options.jobId,
            attempt: this.options.attempt(),
            checkpointId: e.checkpointId,
          };
          const notify = () => {
            executors.forEach((x) => x.tell(message));
            const savepoint = this.savepoints.get(e.checkpointId);
            if (savepoint?.location === undefined) return;
            this.savepoints.delete(e.checkpointId);
            savepoint.resolve(savepoint.location);
          };
          const stored = this.stores.get(e.checkpointId);
          if (stored === undefined) notify();
          else stored.then((ok) => ok && notify());
          break;
        }
        case "abort": {
          const s = this.savepoints.get(e.checkpointId);
          this.savepoints.delete(e.checkpointId);
          s?.reject(new OperationFailedError(`savepoint ${e.checkpointId} failed: ${e.reason}`));
          if (this.stopping?.checkpointId === e.checkpointId) {
            this.stopping = undefined;
            // Its sources wait for it (and a drained job's event time ended): start over.
            this.failJob(`stop with savepoint ${e.checkpointId} failed: ${e.reason}`);
          }
          break;
        }
      }
    }
  }

  /** Writes the metadata of a completed checkpoint; false (and the checkpoint failed) if it cannot. */
  private async store(c: CompletedCheckpoint): Promise<boolean> {
    const tasks: CheckpointMetadata["tasks"] = {};
    for (const [taskId, h] of c.handles) {
      const handle = h as TaskCheckpointHandle;
      const t = this.tasks.get(taskId);
      if (t === undefined) continue;
      tasks[taskId] = {
        vertexId: t.vertexId,
        subtaskIndex: t.subtaskIndex,
        file: handle.file,
        operators: handle.operators ?? [],
      };
    }
    const metadata: CheckpointMetadata = {
      version: 1,
      jobId: this.options.jobId,
      checkpointId: c.id,
      kind: c.kind,
      triggerTimestampMs: c.triggerTimestampMs,
      completionTimestampMs: c.completionTimestampMs,
      tasks,
    };
    const dir = checkpointDir(this.options.root, this.options.jobId, c.id);
    if (c.kind === "savepoint") return await this.storeSavepoint(c, dir, metadata);
    let failure: string | undefined;
    try {
      await writeMetadata(dir, metadata);
    } catch (e) {
      failure = `cannot write its metadata: ${(e as Error).message}`;
    }
    try {
      if (failure === undefined) await this.options.onCompleted?.(c.id);
    } catch (e) {
      failure = `it could not be recorded as completed: ${(e as Error).message}`;
    }
    if (failure !== undefined) {
      this.perform(this.coordinator.completionFailed(c.id, failure, Date.now()));
      return false;
    }
    this.latestCompleted = metadata;
    this.options.onStored?.(c, stateSize(metadata), dir);
    await retainCompleted(this.options.root, this.options.jobId, this.options.retained).catch((e) =>
      LOG.warn(`cannot delete old checkpoints: ${(e as Error).message}`)
    );
    return true;
  }

  /**
   * A savepoint outlives the job: its state files move out of the job's
   * checkpoint directory into the savepoint's own, which gets the metadata.
   * As in Flink, the requested directory (else the default root) is the
   * parent of a new `savepoint-<job id prefix>-<random>` directory, so
   * savepoints never replace each other.
   */
  private async storeSavepoint(
    c: CompletedCheckpoint,
    from: string,
    m: CheckpointMetadata,
  ): Promise<boolean> {
    const request = this.savepoints.get(c.id);
    const parent = c.targetDir ?? this.options.savepointRoot;
    const target = savepointDir(parent, this.options.jobId);
    try {
      // A fresh name (8 random hex digits), never an existing savepoint's.
      if (!await isEmptyLocation(target)) throw new Error(`${target} exists already`);
      const tasks: CheckpointMetadata["tasks"] = {};
      for (const [taskId, t] of Object.entries(m.tasks)) {
        tasks[taskId] = t.file === undefined
          ? t
          : { ...t, file: await moveStateFile(t.file, `${target}/${basename(t.file.path)}`) };
      }
      await writeMetadata(target, { ...m, tasks });
      await discardCheckpoint(from);
    } catch (e) {
      const reason = `cannot write savepoint ${target}: ${(e as Error).message}`;
      this.savepoints.delete(c.id);
      request?.reject(new OperationFailedError(reason));
      this.perform(this.coordinator.completionFailed(c.id, reason, Date.now()));
      return false;
    }
    if (request !== undefined) request.location = target; // answered when the tasks are told
    this.options.onStored?.(c, stateSize(m), target);
    return true;
  }
}

function stateSize(m: CheckpointMetadata): number {
  return Object.values(m.tasks).reduce((n, t) => n + (t.file?.bytes ?? 0), 0);
}
