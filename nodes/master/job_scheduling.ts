/**
 * JobScheduler: the scheduling decisions of one job's JobMaster as a
 * deterministic state machine (no I/O, no clock, no timers), like the
 * CheckpointCoordinator. The JobMaster feeds it events (its start, slots
 * granted or refused, task states, lost workers, restart timers, a cancel)
 * with explicit timestamps and performs, in order, the effects each event
 * returns. It owns the job's state, its attempt number and its
 * ExecutionGraph; every state change goes through the transition tables of
 * `protocol/job_status.ts`.
 * @module
 */

import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import { type JobGraph, requiredSlots } from "../../core/graph/job_graph.ts";
import { parseTaskId, taskIdOf } from "../protocol/ids.ts";
import {
  checkJobTransition,
  type ExecutionState,
  isLegalExecutionTransition,
  isTerminalJobState,
  type JobState,
} from "../protocol/job_status.ts";
import type { SlotGrant } from "../protocol/resource_manager.ts";
import type { TaskRestore } from "../protocol/task_state.ts";
import { ExecutionGraph } from "./execution_graph.ts";
import type { RestartStrategy } from "./restart_strategy.ts";

/** What the JobScheduler is told. Events of an attempt other than the current one are stale. */
export type SchedulingEvent =
  /** The JobMaster started. */
  | { readonly type: "start" }
  /** The slots (and the state to restore) asked for by `allocateSlots` are there. */
  | {
    readonly type: "slotsGranted";
    readonly attempt: number;
    readonly grants: readonly SlotGrant[];
    readonly restore?: TaskRestore;
  }
  /** The slots asked for by `allocateSlots` cannot be had (timeout, no restore). */
  | {
    readonly type: "slotsRefused";
    readonly attempt: number;
    readonly message: string;
    /** Set when the cluster has too few slots for the job (the client exits 2, as locally). */
    readonly reason?: "notEnoughSlots";
  }
  /** The delay of a `scheduleRestart` is over. */
  | { readonly type: "restartTimerFired"; readonly attempt: number }
  /** A TaskExecutor reported a task's state. */
  | {
    readonly type: "taskState";
    readonly attempt: number;
    readonly taskId: string;
    readonly state: ExecutionState;
    readonly metrics?: TaskMetrics;
    readonly failure?: TaskFailure;
    readonly nowMs: number;
  }
  /** The ResourceManager lost a worker. */
  | { readonly type: "workerLost"; readonly workerId: string; readonly nowMs: number }
  /** The checkpoint coordinator gave up (too many failed checkpoints). */
  | { readonly type: "checkpointingFailed"; readonly reason: string; readonly nowMs: number }
  /** Cancel the job. */
  | { readonly type: "cancel" };

/** One task of an attempt to deploy: its id, its subtask and its slot. */
export interface TaskToDeploy {
  readonly taskId: string;
  readonly vertexId: number;
  readonly subtaskIndex: number;
  readonly slot: SlotGrant;
}

/** What the JobMaster must do, in order. */
export type SchedulingEffect =
  /** Ask the ResourceManager for `count` slots (and find the state to restore). */
  | { readonly type: "allocateSlots"; readonly attempt: number; readonly count: number }
  /** Send `submitTask` for each task to its slot's TaskExecutor. */
  | {
    readonly type: "deployTasks";
    readonly attempt: number;
    readonly tasks: readonly TaskToDeploy[];
    readonly restore?: TaskRestore;
  }
  /** Send `cancelJob` to these TaskExecutors (one grant per worker). */
  | { readonly type: "cancelTasks"; readonly grants: readonly SlotGrant[] }
  /** Give the job's slots back to the ResourceManager. */
  | { readonly type: "releaseSlots" }
  /** Feed `restartTimerFired` for `attempt` after `delayMs`. */
  | { readonly type: "scheduleRestart"; readonly attempt: number; readonly delayMs: number }
  /** Tell the client the job's new state. */
  | {
    readonly type: "jobStatus";
    readonly state: JobState;
    readonly attempt: number;
    readonly message?: string;
  }
  /** Every task of the attempt runs: checkpoints may start. */
  | { readonly type: "startCheckpoints" }
  /** Tell the checkpoint coordinator that a task finished. */
  | { readonly type: "checkpointTaskFinished"; readonly taskId: string }
  /** Abandon the checkpoints in progress (a failover). */
  | { readonly type: "resetCheckpoints" }
  /** Stop checkpointing for good; `discard` deletes the job's checkpoints. */
  | { readonly type: "stopCheckpoints"; readonly discard: boolean }
  /** The job ended: tell the client the result (or failure) and the Dispatcher the end. */
  | { readonly type: "jobEnded"; readonly state: "FINISHED"; readonly slots: number }
  | { readonly type: "jobEnded"; readonly state: "FAILED"; readonly failure: TaskFailure }
  | { readonly type: "jobEnded"; readonly state: "CANCELED" }
  /** A peer said something that cannot be: log it (an operating error; nothing changed). */
  | { readonly type: "warn"; readonly message: string };

/** What a JobScheduler schedules. */
export interface JobSchedulerOptions {
  readonly jobId: string;
  readonly jobGraph: JobGraph;
  /** Decides whether and when a failed attempt restarts. */
  readonly restartStrategy: RestartStrategy;
}

/** The states a TaskExecutor reports; any other report is ignored. */
const REPORTED_STATES: readonly ExecutionState[] = ["RUNNING", "FINISHED", "FAILED"];

/**
 * Decides what one job does next.
 *
 * @example
 * ```ts
 * import { JobScheduler } from "./job_scheduling.ts";
 * import { noRestart } from "./restart_strategy.ts";
 * const scheduler = new JobScheduler({
 *   jobId: "j1",
 *   jobGraph: { jobName: "empty", vertices: [], edges: [] },
 *   restartStrategy: noRestart(),
 * });
 * scheduler.handle({ type: "start" }); // [{ type: "allocateSlots", attempt: 0, count: 0 }]
 * scheduler.handle({ type: "cancel" }); // [stopCheckpoints, releaseSlots, jobStatus CANCELED, jobEnded]
 * console.assert(scheduler.state === "CANCELED");
 * ```
 */
export class JobScheduler {
  /** The subtasks of the current attempt. */
  readonly graph: ExecutionGraph;
  private jobState: JobState = "CREATED";
  private currentAttempt = 0;
  private grants: readonly SlotGrant[] = [];
  private awaitingRunning = false;
  private cause: TaskFailure | undefined;

  constructor(private readonly options: JobSchedulerOptions) {
    this.graph = new ExecutionGraph(options.jobGraph);
  }

  /** The job's state. */
  get state(): JobState {
    return this.jobState;
  }
  /** The current attempt: 0, then one more per restart. */
  get attempt(): number {
    return this.currentAttempt;
  }
  /** The latest failure, if any. */
  get failureCause(): TaskFailure | undefined {
    return this.cause;
  }

  /** Feeds one event; returns what to do, in order. */
  handle(e: SchedulingEvent): SchedulingEffect[] {
    switch (e.type) {
      case "start":
        return this.schedule();
      case "restartTimerFired":
        return e.attempt === this.attempt ? this.schedule() : [];
      case "slotsGranted":
        // Stale grants are given back, as every slot of the job (the ResourceManager's unit).
        if (e.attempt !== this.attempt) return [{ type: "releaseSlots" }];
        return this.deploy(e.grants, e.restore);
      case "slotsRefused":
        if (e.attempt !== this.attempt || !this.isActive()) return [];
        return this.failJob({
          ...schedulerFailure("(scheduler)", e.message),
          ...(e.reason === undefined ? {} : { reason: e.reason }),
        });
      case "taskState":
        return e.attempt === this.attempt && this.isActive() ? this.onTaskState(e) : [];
      case "workerLost":
        if (!this.isActive() || !this.graph.usesWorker(e.workerId)) return [];
        return this.failover(
          schedulerFailure(
            "(worker)",
            `worker ${e.workerId} was lost while running tasks of this job`,
          ),
          e.nowMs,
        );
      case "checkpointingFailed":
        if (!this.isActive()) return [];
        return this.failover(
          {
            operatorName: "(checkpoint coordinator)",
            vertexName: "",
            subtaskIndex: -1,
            message: `checkpointing failed: ${e.reason}`,
          },
          e.nowMs,
        );
      case "cancel":
        return this.isActive() ? this.cancel() : [];
    }
  }

  private isActive(): boolean {
    return !isTerminalJobState(this.jobState);
  }

  private setState(to: JobState, message?: string): SchedulingEffect {
    checkJobTransition(this.jobState, to, `job ${this.options.jobId}`);
    this.jobState = to;
    return { type: "jobStatus", state: to, attempt: this.attempt, message };
  }

  /** Fresh subtasks for the attempt, and slots for them. */
  private schedule(): SchedulingEffect[] {
    if (!this.isActive()) return [];
    this.graph.reset();
    const count = requiredSlots(this.options.jobGraph);
    return [{ type: "allocateSlots", attempt: this.attempt, count }];
  }

  private deploy(grants: readonly SlotGrant[], restore?: TaskRestore): SchedulingEffect[] {
    this.grants = grants;
    if (!this.isActive()) return this.release();
    this.graph.schedule(grants);
    const effects = [this.setState("RUNNING")];
    this.graph.transitionAll("DEPLOYING");
    this.awaitingRunning = true;
    const tasks = [...this.graph.subtasks].map((s) => ({
      taskId: taskIdOf(this.options.jobId, s.vertexId, s.subtaskIndex),
      vertexId: s.vertexId,
      subtaskIndex: s.subtaskIndex,
      slot: s.slot!,
    }));
    effects.push({ type: "deployTasks", attempt: this.attempt, tasks, restore });
    return effects;
  }

  private onTaskState(e: Extract<SchedulingEvent, { type: "taskState" }>): SchedulingEffect[] {
    const { vertexId, subtaskIndex } = parseTaskId(this.options.jobId, e.taskId);
    const s = this.graph.get(vertexId, subtaskIndex);
    const ignored = (why: string): SchedulingEffect[] => [{
      type: "warn",
      message: `task ${e.taskId} of attempt ${e.attempt} reported ${e.state} ${why}: ignored`,
    }];
    if (s === undefined) return ignored("but the job has no such task");
    if (!REPORTED_STATES.includes(e.state) || !isLegalExecutionTransition(s.state, e.state)) {
      return ignored(`while ${s.state}`);
    }
    const failure = e.state === "FAILED"
      ? e.failure ?? schedulerFailure(`task ${e.taskId}`, "the task failed without a cause")
      : undefined;
    this.graph.transition(vertexId, subtaskIndex, e.state, failure);
    if (e.metrics) s.metrics = e.metrics;
    if (failure !== undefined) return this.failover(failure, e.nowMs);
    if (e.state === "RUNNING" && this.awaitingRunning && this.graph.allIn("RUNNING")) {
      this.awaitingRunning = false;
      return [{ type: "startCheckpoints" }];
    }
    if (e.state !== "FINISHED") return [];
    const effects: SchedulingEffect[] = [{ type: "checkpointTaskFinished", taskId: e.taskId }];
    if (this.graph.allIn("FINISHED")) effects.push(...this.finish());
    return effects;
  }

  /** Cancels the attempt's tasks and gives their slots back. */
  private release(): SchedulingEffect[] {
    const perWorker = new Map(this.grants.map((g) => [g.workerId, g]));
    this.grants = [];
    const effects: SchedulingEffect[] = [];
    if (perWorker.size > 0) effects.push({ type: "cancelTasks", grants: [...perWorker.values()] });
    effects.push({ type: "releaseSlots" });
    return effects;
  }

  /** Restarts under the restart strategy, or fails the job when it says no more. */
  private failover(failure: TaskFailure, nowMs: number): SchedulingEffect[] {
    this.cause = failure;
    if (failure.reason === "unrecoverable") return this.failJob(failure);
    const delayMs = this.options.restartStrategy.onFailure(nowMs);
    if (delayMs === undefined) return this.failJob(failure);
    const effects: SchedulingEffect[] = [{ type: "resetCheckpoints" }, ...this.release()];
    this.graph.transitionAll("CANCELED");
    this.currentAttempt++;
    effects.push(
      this.setState("RESTARTING", `restarting in ${delayMs} ms after: ${failure.message}`),
      { type: "scheduleRestart", attempt: this.attempt, delayMs },
    );
    return effects;
  }

  private failJob(failure: TaskFailure): SchedulingEffect[] {
    this.cause = failure;
    const effects: SchedulingEffect[] = [
      { type: "stopCheckpoints", discard: false },
      ...this.release(),
    ];
    this.graph.transitionAll("CANCELED");
    effects.push(this.setState("FAILED", failure.message), {
      type: "jobEnded",
      state: "FAILED",
      failure,
    });
    return effects;
  }

  private finish(): SchedulingEffect[] {
    const slots = new Set(this.grants.map((g) => `${g.workerId}/${g.slotIndex}`)).size;
    return [
      { type: "stopCheckpoints", discard: true },
      ...this.release(),
      this.setState("FINISHED"),
      { type: "jobEnded", state: "FINISHED", slots },
    ];
  }

  private cancel(): SchedulingEffect[] {
    const effects: SchedulingEffect[] = [
      { type: "stopCheckpoints", discard: true },
      ...this.release(),
    ];
    this.graph.transitionAll("CANCELED");
    effects.push(this.setState("CANCELED"), { type: "jobEnded", state: "CANCELED" });
    return effects;
  }
}

/** A failure that no operator caused: the scheduler's, a worker's. */
function schedulerFailure(who: string, message: string): TaskFailure {
  return { operatorName: who, vertexName: who, subtaskIndex: -1, message };
}
