/**
 * The JobMaster's side of checkpoints: drives the CheckpointCoordinator with
 * ticks and task reports, and carries out its effects (triggering source
 * tasks through their TaskExecutors). Completed checkpoints are recorded for
 * the REST API; storing state and restoring from it come next.
 * @module
 */

import { CheckpointCoordinator } from "../../core/checkpoint/checkpoint_coordinator.ts";
import type {
  CheckpointEffect,
  CompletedCheckpoint,
} from "../../core/checkpoint/checkpoint_effects.ts";
import type { CheckpointStats } from "../../core/checkpoint/checkpoint_stats.ts";
import type { ActorRef } from "../rpc/actor.ts";
import type { JobMasterMessage, TaskExecutorMessage } from "./messages.ts";

/** How often the JobMaster checks whether a checkpoint is due. */
export const CHECKPOINT_TICK_MS = 50;

export class JobCheckpoints {
  private readonly coordinator: CheckpointCoordinator;
  private readonly ticker: ReturnType<typeof setInterval>;
  private executors = new Map<string, ActorRef<TaskExecutorMessage>>();
  latestCompleted: CompletedCheckpoint | undefined;

  constructor(
    intervalMs: number,
    self: ActorRef<JobMasterMessage>,
    private readonly failJob: (reason: string) => void,
  ) {
    this.coordinator = new CheckpointCoordinator({ intervalMs });
    this.ticker = setInterval(
      () => self.tell({ type: "checkpointTick" }),
      Math.min(CHECKPOINT_TICK_MS, intervalMs),
    );
  }

  /** A new attempt is deployed: these tasks take part, these are sources. */
  deployed(
    tasks: { taskId: string; source: boolean; executor: ActorRef<TaskExecutorMessage> }[],
  ): void {
    this.perform(this.coordinator.reset(Date.now()));
    this.executors = new Map(tasks.map((t) => [t.taskId, t.executor]));
    this.coordinator.setTasks(
      tasks.map((t) => t.taskId),
      tasks.filter((t) => t.source).map((t) => t.taskId),
    );
  }

  tick(): void {
    this.perform(this.coordinator.tick(Date.now()));
  }
  acknowledge(taskId: string, checkpointId: number, handle: unknown): void {
    this.perform(this.coordinator.acknowledge(taskId, checkpointId, handle, Date.now()));
  }
  decline(taskId: string, checkpointId: number, reason: string): void {
    this.perform(this.coordinator.decline(taskId, checkpointId, reason, Date.now()));
  }
  taskFinished(taskId: string): void {
    this.perform(this.coordinator.taskFinished(taskId, Date.now()));
  }
  /** Failover or the end of the job: abandon what is in progress. */
  reset(): void {
    this.perform(this.coordinator.reset(Date.now()));
  }
  history(): CheckpointStats[] {
    return this.coordinator.history();
  }
  stop(): void {
    clearInterval(this.ticker);
    this.reset();
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
              },
            });
          }
          break;
        case "complete":
          this.latestCompleted = e.checkpoint;
          break;
        case "failJob":
          this.failJob(e.reason);
          break;
        case "notifyComplete":
        case "abort":
          break;
      }
    }
  }
}
