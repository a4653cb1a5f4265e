/**
 * JobMaster: runs one job. It asks the ResourceManager for slots, deploys one
 * task per subtask (slot sharing: subtask i of every vertex of a group in the
 * group's i-th slot), follows task states, and on a failure cancels the
 * attempt and restarts under the restart strategy, or fails the job.
 * @module
 */

import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import { requiredSlots } from "../../core/graph/job_graph.ts";
import { Actor, type ActorRef, DeferredReply, replyError } from "../rpc/actor.ts";
import { checkMessage, InvalidMessageError } from "../rpc/message_schema.ts";
import type { ClientMessage } from "../protocol/client.ts";
import type { DispatcherMessage, JobSubmission } from "../protocol/dispatcher.ts";
import { parseTaskId } from "../protocol/ids.ts";
import {
  JOB_MASTER_SCHEMA,
  type JobMasterMessage,
  type JobMasterReplies,
} from "../protocol/job_master.ts";
import type { JobState } from "../protocol/job_status.ts";
import {
  askResourceManager,
  type ResourceManagerMessage,
  type SlotGrant,
} from "../protocol/resource_manager.ts";
import type { TaskRestore } from "../protocol/task_state.ts";
import { ExecutionGraph } from "./execution_graph.ts";
import { parseRestartStrategy, type RestartStrategy } from "./restart_strategy.ts";
import { assignSlots, NotEnoughSlotsError } from "./slot_assignment.ts";
import { checkpointOptionsOf, JobCheckpoints } from "./job_checkpoints.ts";
import { latestCheckpointRestore, savepointRestore } from "./job_restore.ts";
import { type AttemptContext, taskDeployment } from "./task_deployment.ts";
import { OPTIONS } from "../../core/config/options.ts";

/** Default time a job waits for enough free slots. */
const DEFAULT_SLOT_TIMEOUT_MS = OPTIONS.slotTimeoutMs.default;

/** Runs one job: schedules, deploys, follows and restarts its tasks. */
export class JobMaster extends Actor<JobMasterMessage> {
  private readonly graph: ExecutionGraph;
  private readonly restartStrategy: RestartStrategy;
  private state: JobState = "CREATED";
  private attempt = 0;
  private grants: SlotGrant[] = [];
  private readonly startMs = Date.now();
  private endMs: number | undefined;
  private lastProgressMs = 0;
  private failureCause: TaskFailure | undefined;
  private checkpoints: JobCheckpoints | undefined;
  private checkpointTasks: Parameters<JobCheckpoints["deployed"]>[0] | undefined;

  constructor(
    readonly jobId: string,
    private readonly submission: JobSubmission,
    private readonly resourceManager: ActorRef<ResourceManagerMessage>,
    private readonly client: ActorRef<ClientMessage> | undefined,
  ) {
    super();
    this.graph = new ExecutionGraph(submission.jobGraph);
    this.restartStrategy = parseRestartStrategy(
      submission.restartStrategy ?? OPTIONS.restartStrategy.default,
    );
  }

  override preStart(): void {
    // Streaming jobs get a coordinator even without periodic checkpoints: savepoints use it.
    if (this.submission.batch !== true) {
      this.checkpoints = new JobCheckpoints(
        {
          ...checkpointOptionsOf(this.jobId, this.submission),
          onStored: (c, stateSizeBytes, location) =>
            this.client?.tell({
              type: "checkpointCompleted",
              jobId: this.jobId,
              checkpointId: c.id,
              kind: c.kind,
              durationMs: c.durationMs,
              stateSizeBytes,
              location: c.kind === "savepoint" ? location : undefined,
            }),
          attempt: () => this.attempt,
        },
        this.context.self as ActorRef<JobMasterMessage>,
        (reason) => this.failover(this.coordinatorFailure(`checkpointing failed: ${reason}`)),
      );
    }
    this.context.self.tell({ type: "start" });
  }

  override postStop(): void {
    this.checkpoints?.stop();
  }

  private coordinatorFailure(message: string): TaskFailure {
    return { operatorName: "(checkpoint coordinator)", vertexName: "", subtaskIndex: -1, message };
  }

  receive(m: JobMasterMessage): unknown {
    const invalid = checkMessage(JOB_MASTER_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    switch (m.type) {
      case "start":
        return this.schedule();
      case "restart":
        return m.attempt === this.attempt ? this.schedule() : undefined;
      case "slotsGranted":
        if (m.attempt === this.attempt) this.deploy(m.grants, m.restore);
        else this.resourceManager.tell({ type: "releaseSlots", jobId: this.jobId });
        return;
      case "slotsRefused":
        if (m.attempt !== this.attempt) return;
        return this.failJob({
          operatorName: "(scheduler)",
          vertexName: "(scheduler)",
          subtaskIndex: -1,
          message: m.message,
          ...(m.reason === undefined ? {} : { reason: m.reason }),
        });
      case "taskState":
        return m.attempt === this.attempt ? this.onTaskState(m) : undefined;
      case "taskMetrics":
        if (m.attempt === this.attempt) this.onMetrics(m.taskId, m.metrics);
        return;
      case "collect":
        if (m.attempt === this.attempt) {
          this.client?.tell({ type: "collect", collectId: m.collectId, records: m.records });
        }
        return;
      case "workerLost":
        if (this.isActive() && this.graph.usesWorker(m.workerId)) {
          return this.failover({
            operatorName: "(worker)",
            vertexName: "(worker)",
            subtaskIndex: -1,
            message: `worker ${m.workerId} was lost while running tasks of this job`,
          });
        }
        return;
      case "cancel":
        return this.cancel();
      case "triggerSavepoint":
        return this.triggerSavepoint(m.targetDir, m.cancel);
      case "checkpointTick":
        if (this.state === "RUNNING") this.checkpoints?.tick();
        return;
      case "acknowledgeCheckpoint":
        if (m.attempt === this.attempt) {
          this.checkpoints?.acknowledge(m.taskId, m.checkpointId, m.handle);
        }
        return;
      case "declineCheckpoint":
        if (m.attempt === this.attempt) {
          this.checkpoints?.decline(m.taskId, m.checkpointId, m.reason);
        }
        return;
      case "details":
        return this.details();
    }
  }

  private isActive(): boolean {
    return this.state === "CREATED" || this.state === "RUNNING" || this.state === "RESTARTING";
  }

  private setState(state: JobState, message?: string): void {
    this.state = state;
    this.client?.tell({
      type: "jobStatus",
      jobId: this.jobId,
      jobName: this.submission.jobName,
      state,
      attempt: this.attempt,
      message,
    });
  }

  /** Asks for slots; the answer comes back as a message, so the mailbox stays free. */
  private schedule(): void {
    if (!this.isActive()) return;
    const timeoutMs = this.submission.slotTimeoutMs ?? DEFAULT_SLOT_TIMEOUT_MS;
    const self = this.context.self;
    const attempt = this.attempt;
    this.graph.reset();
    Promise.all([
      askResourceManager(this.resourceManager, {
        type: "allocateSlots",
        jobId: this.jobId,
        count: requiredSlots(this.submission.jobGraph),
        timeoutMs,
      }, timeoutMs + 5000),
      this.findRestore(),
    ]).then(
      ([grants, restore]) => self.tell({ type: "slotsGranted", attempt, grants, restore }),
      (e: Error) =>
        self.tell({
          type: "slotsRefused",
          attempt,
          message: e.message,
          ...(e instanceof NotEnoughSlotsError ? { reason: "notEnoughSlots" as const } : {}),
        }),
    );
  }

  /**
   * After a failure the newest intact checkpoint of this job (a corrupt one is
   * reported to the client and skipped); else the savepoint it was submitted with.
   */
  private async findRestore(): Promise<TaskRestore | undefined> {
    if (this.checkpoints === undefined) return undefined;
    if (this.checkpoints.latestCompleted !== undefined) {
      const { root } = this.checkpoints.options;
      const latest = await latestCheckpointRestore(root, this.jobId, (id, reason) => {
        const message = `checkpoint ${id} is corrupt and skipped: ${reason}`;
        console.error(`[job ${this.jobId}] ${message}`);
        this.client?.tell({
          type: "jobStatus",
          jobId: this.jobId,
          jobName: this.submission.jobName,
          state: "RESTARTING",
          attempt: this.attempt,
          message,
        });
      });
      if (latest !== undefined) return latest;
    }
    const from = this.submission.restoreFrom;
    return from === undefined ? undefined : await savepointRestore(from, this.submission.jobGraph);
  }

  /** Takes a savepoint (then cancels the job if asked); answers with its directory. */
  private triggerSavepoint(targetDir: string | undefined, cancel: boolean): unknown {
    if (this.checkpoints === undefined) {
      return replyError(new Error("a batch job takes no savepoints"));
    }
    if (this.state !== "RUNNING" || !this.allRunning()) {
      return replyError(new Error(`job ${this.jobId} is ${this.state}, not running: no savepoint`));
    }
    const self = this.context.self as ActorRef<JobMasterMessage>;
    return new DeferredReply(
      this.checkpoints.triggerSavepoint(targetDir).then((location) => {
        if (cancel) self.tell({ type: "cancel" });
        return { location } satisfies JobMasterReplies["triggerSavepoint"];
      }),
    );
  }

  private deploy(grants: SlotGrant[], restore: TaskRestore | undefined): void {
    this.grants = grants;
    if (!this.isActive()) return this.releaseSlots();
    const slotOf = assignSlots(this.submission.jobGraph, grants.length);
    for (const s of this.graph.subtasks.values()) {
      s.slot = grants[slotOf.get(`${s.vertexId}/${s.subtaskIndex}`)!];
      s.state = "SCHEDULED";
    }
    this.setState("RUNNING");
    const job = this.submission.jobGraph;
    const attempt: AttemptContext = {
      jobId: this.jobId,
      attempt: this.attempt,
      submission: this.submission,
      graph: this.graph,
      checkpointDir: this.checkpoints?.jobDir,
      restore,
      jobMaster: this.context.self,
    };
    const tasks = [];
    for (const s of this.graph.subtasks.values()) {
      s.state = "DEPLOYING";
      const task = taskDeployment(attempt, s.vertexId, s.subtaskIndex);
      s.slot!.taskExecutor.tell({ type: "submitTask", task });
      const source = job.vertices.find((v) => v.id === s.vertexId)!.inputs.length === 0;
      tasks.push({
        taskId: task.taskId,
        vertexId: s.vertexId,
        subtaskIndex: s.subtaskIndex,
        source,
        executor: s.slot!.taskExecutor,
      });
    }
    // Checkpoints start once every task runs (a trigger before that would be lost).
    this.checkpointTasks = tasks;
  }

  private subtaskOf(taskId: string) {
    const { vertexId, subtaskIndex } = parseTaskId(this.jobId, taskId);
    return this.graph.get(vertexId, subtaskIndex);
  }

  private onTaskState(m: Extract<JobMasterMessage, { type: "taskState" }>): unknown {
    if (!this.isActive()) return;
    const s = this.subtaskOf(m.taskId);
    if (s === undefined) return;
    s.state = m.state;
    if (m.metrics) s.metrics = m.metrics;
    if (m.state === "FAILED") {
      s.failure = m.failure;
      return this.failover(m.failure!);
    }
    if (m.state === "RUNNING" && this.checkpointTasks && this.allRunning()) {
      this.checkpoints?.deployed(this.checkpointTasks);
      this.checkpointTasks = undefined;
    }
    if (m.state === "FINISHED") this.checkpoints?.taskFinished(m.taskId);
    if (m.state === "FINISHED" && this.graph.allFinished()) return this.finish();
  }

  private allRunning(): boolean {
    for (const s of this.graph.subtasks.values()) if (s.state !== "RUNNING") return false;
    return true;
  }

  private onMetrics(taskId: string, metrics: TaskMetrics) {
    const s = this.subtaskOf(taskId);
    if (s !== undefined) s.metrics = metrics;
    const now = Date.now();
    if (this.client && now - this.lastProgressMs >= 500) {
      this.lastProgressMs = now;
      this.client.tell({ type: "progress", jobId: this.jobId, vertices: this.graph.progress() });
    }
  }

  /** Cancels the attempt's tasks and gives their slots back. */
  private releaseSlots(): void {
    const executors = new Map<string, SlotGrant>();
    for (const g of this.grants) executors.set(g.workerId, g);
    for (const g of executors.values()) {
      g.taskExecutor.tell({ type: "cancelJob", jobId: this.jobId });
    }
    this.grants = [];
    this.resourceManager.tell({ type: "releaseSlots", jobId: this.jobId });
  }

  private failover(failure: TaskFailure): void {
    this.failureCause = failure;
    this.checkpoints?.reset();
    this.releaseSlots();
    const delayMs = this.restartStrategy.onFailure(Date.now());
    if (delayMs === undefined) return this.failJob(failure);
    this.attempt++;
    this.setState("RESTARTING", `restarting in ${delayMs} ms after: ${failure.message}`);
    const self = this.context.self;
    const attempt = this.attempt;
    setTimeout(() => self.tell({ type: "restart", attempt }), delayMs);
  }

  private failJob(failure: TaskFailure): void {
    this.failureCause = failure;
    this.checkpoints?.stop();
    this.releaseSlots();
    this.endMs = Date.now();
    this.setState("FAILED", failure.message);
    this.client?.tell({ type: "jobFailed", jobName: this.submission.jobName, failure });
    this.dispatcher().tell({ type: "jobEnded", jobId: this.jobId, state: "FAILED" });
  }

  private finish(): void {
    this.endMs = Date.now();
    this.checkpoints?.stop(true);
    const slots = new Set(this.grants.map((g) => `${g.workerId}/${g.slotIndex}`)).size;
    this.releaseSlots();
    this.setState("FINISHED");
    this.client?.tell({
      type: "jobFinished",
      result: {
        jobId: this.jobId,
        jobName: this.submission.jobName,
        state: "FINISHED",
        durationMs: this.endMs - this.startMs,
        slots,
        vertices: this.graph.vertexMetrics(),
      },
    });
    this.dispatcher().tell({ type: "jobEnded", jobId: this.jobId, state: "FINISHED" });
  }

  private cancel(): void {
    if (!this.isActive()) return;
    this.checkpoints?.stop(true);
    this.releaseSlots();
    this.endMs = Date.now();
    for (const s of this.graph.subtasks.values()) if (s.state !== "FINISHED") s.state = "CANCELED";
    this.setState("CANCELED");
    this.dispatcher().tell({ type: "jobEnded", jobId: this.jobId, state: "CANCELED" });
  }

  private dispatcher(): ActorRef<DispatcherMessage> {
    return this.context.parent as ActorRef<DispatcherMessage>;
  }

  private details(): JobMasterReplies["details"] {
    return {
      jid: this.jobId,
      name: this.submission.jobName,
      state: this.state,
      attempt: this.attempt,
      startTime: this.startMs,
      endTime: this.endMs ?? -1,
      duration: (this.endMs ?? Date.now()) - this.startMs,
      restartStrategy: this.restartStrategy.describe(),
      failure: this.failureCause,
      checkpoints: this.checkpoints?.history() ?? [],
      vertices: this.graph.details(),
      edges: this.graph.edgeDetails(),
    };
  }
}
