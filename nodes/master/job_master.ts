/**
 * JobMaster: runs one job. Its JobScheduler (`job_scheduling.ts`) decides:
 * ask the ResourceManager for slots, deploy one task per subtask (slot
 * sharing: subtask i of every vertex of a group in the group's i-th slot),
 * follow task states, and on a failure cancel the attempt and restart under
 * the restart strategy, or fail the job. The actor performs those decisions
 * (messages, timers, checkpoint storage) and answers the REST API.
 * @module
 */

import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import { STOP_MODES, type StopMode } from "../../core/checkpoint/barrier_aligner.ts";
import { choices, isOneOf } from "../../core/config/option_spec.ts";
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
import { InvalidRequestError, JobConflictError } from "../protocol/errors.ts";
import { isTerminalJobState, type JobState } from "../protocol/job_status.ts";
import { askResourceManager, type ResourceManagerMessage } from "../protocol/resource_manager.ts";
import type { TaskRestore } from "../protocol/task_state.ts";
import { parseRestartStrategy, type RestartStrategy } from "./restart_strategy.ts";
import { NotEnoughSlotsError } from "./slot_assignment.ts";
import { checkpointOptionsOf } from "./job_checkpoint_options.ts";
import { JobCheckpoints } from "./job_checkpoints.ts";
import { latestCheckpointRestore, savepointRestore } from "./job_restore.ts";
import {
  JobScheduler,
  type SchedulingEffect,
  type SchedulingEvent,
  type TaskToDeploy,
} from "./job_scheduling.ts";
import { type AttemptContext, taskDeployment } from "./task_deployment.ts";
import { OPTIONS } from "../../core/config/options.ts";
import { ExceptionHistory } from "./exception_history.ts";
import { jobPlanOf } from "./job_plan_info.ts";
import { WatermarkAlignmentCoordinator } from "./watermark_alignment.ts";
import { decodeCollected } from "../protocol/collected_cbor.ts";

/** Default time a job waits for enough free slots. */
const DEFAULT_SLOT_TIMEOUT_MS = OPTIONS.slotTimeoutMs.default;

/** How a JobMaster of a master with high availability keeps its job durable. */
export interface JobMasterDurability {
  /**
   * Set when a new leader resumes the job: the newest checkpoint id it knows
   * of (0: none). Checkpoint ids go on from it, and the job restores from the
   * newest intact checkpoint in storage.
   */
  readonly recoveredFromCheckpointId?: number;
  /**
   * Records each checkpoint whose metadata is stored, before its tasks are
   * told (the job store's fenced write); a rejection fails the checkpoint.
   */
  readonly onCheckpointCompleted?: (checkpointId: number) => Promise<void>;
}

/** Runs one job: performs what its JobScheduler decides, and follows its tasks. */
export class JobMaster extends Actor<JobMasterMessage> {
  private readonly scheduler: JobScheduler;
  private readonly restartStrategy: RestartStrategy;
  private readonly startMs = Date.now();
  private endMs: number | undefined;
  private lastProgressMs = 0;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private checkpoints: JobCheckpoints | undefined;
  private checkpointTasks: Parameters<JobCheckpoints["deployed"]>[0] = [];
  /** What told the client how the job ended: told again to a client that attaches later. */
  private endMessage: ClientMessage | undefined;
  /** The state the last state-change line named. */
  private loggedState: JobState = "CREATED";
  private readonly exceptions = new ExceptionHistory();
  private readonly alignment = new WatermarkAlignmentCoordinator();

  constructor(
    readonly jobId: string,
    private readonly submission: JobSubmission,
    private readonly resourceManager: ActorRef<ResourceManagerMessage>,
    private client: ActorRef<ClientMessage> | undefined,
    private readonly durable: JobMasterDurability = {},
  ) {
    super();
    this.restartStrategy = parseRestartStrategy(
      submission.restartStrategy ?? OPTIONS.restartStrategy.default,
    );
    this.scheduler = new JobScheduler({
      jobId,
      jobGraph: submission.jobGraph,
      restartStrategy: this.restartStrategy,
    });
  }

  override preStart(): void {
    this.logState("CREATED");
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
          attempt: () => this.scheduler.attempt,
          onCompleted: this.durable.onCheckpointCompleted,
        },
        this.context.self as ActorRef<JobMasterMessage>,
        (reason) => this.handle({ type: "checkpointingFailed", reason, nowMs: Date.now() }),
        this.durable.recoveredFromCheckpointId ?? 0,
      );
    }
    this.context.self.tell({ type: "start" });
  }

  override postStop(): void {
    clearTimeout(this.restartTimer);
    this.checkpoints?.stop();
  }

  receive(m: JobMasterMessage): unknown {
    const invalid = checkMessage(JOB_MASTER_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    const current = "attempt" in m && m.attempt === this.scheduler.attempt;
    switch (m.type) {
      case "cancel":
        return this.cancel();
      case "start":
      case "slotsGranted":
      case "slotsRefused":
        return this.handle(m);
      case "restart":
        return this.handle({ type: "restartTimerFired", attempt: m.attempt });
      case "taskState":
      case "workerLost":
        return this.handle({ ...m, nowMs: Date.now() });
      case "taskMetrics":
        if (current) this.onMetrics(m.taskId, m.metrics);
        return;
      case "collect":
        if (current) {
          const records = decodeCollected(m.batch) as unknown[];
          this.client?.tell({ type: "collect", collectId: m.collectId, records });
        }
        return;
      case "triggerSavepoint":
        return this.triggerSavepoint(m.targetDir, m.cancel, m.stop);
      case "checkpointTick":
        if (this.scheduler.state === "RUNNING") this.checkpoints?.tick();
        return;
      case "acknowledgeCheckpoint":
        if (current) this.checkpoints?.acknowledge(m.taskId, m.checkpointId, m.handle);
        return;
      case "declineCheckpoint":
        if (current) this.checkpoints?.decline(m.taskId, m.checkpointId, m.reason);
        return;
      case "alignWatermark":
        // A stale attempt's source is told to run: it is being cancelled anyway.
        return {
          maxWatermark: current ? this.alignment.report(m.attempt, m) : Infinity,
        } satisfies JobMasterReplies["alignWatermark"];
      case "details":
        return this.details();
      case "plan":
        return jobPlanOf(this.jobId, this.submission.jobGraph);
      case "exceptions":
        return this.exceptions.response();
    }
  }

  /** Feeds the scheduler and performs its effects, in order; a new failure goes to the history. */
  private handle(event: SchedulingEvent): void {
    const [cause, attempt] = [this.scheduler.failureCause, this.scheduler.attempt];
    const effects = this.scheduler.handle(event);
    const failure = this.scheduler.failureCause;
    if (failure !== undefined && failure !== cause) {
      const worker = event.type === "workerLost" ? event.workerId : this.workerOf(failure);
      this.exceptions.record(failure, attempt, Date.now(), worker);
    }
    for (const effect of effects) this.perform(effect);
  }

  /** The worker the failed subtask ran on, if a subtask failed. */
  private workerOf(failure: TaskFailure): string | undefined {
    const vertex = this.submission.jobGraph.vertices.find((v) => v.name === failure.vertexName);
    if (vertex === undefined) return undefined;
    return this.scheduler.graph.get(vertex.id, failure.subtaskIndex)?.slot?.workerId;
  }

  private perform(e: SchedulingEffect): void {
    switch (e.type) {
      case "allocateSlots":
        return this.allocateSlots(e.attempt, e.count);
      case "deployTasks":
        return this.deploy(e.attempt, e.tasks, e.restore);
      case "cancelTasks":
        for (const g of e.grants) g.taskExecutor.tell({ type: "cancelJob", jobId: this.jobId });
        return;
      case "releaseSlots":
        return this.resourceManager.tell({ type: "releaseSlots", jobId: this.jobId });
      case "scheduleRestart": {
        const self = this.context.self;
        clearTimeout(this.restartTimer);
        this.restartTimer = setTimeout(
          () => self.tell({ type: "restart", attempt: e.attempt }),
          e.delayMs,
        );
        return;
      }
      case "jobStatus":
        this.logState(e.state, e.message);
        if (!isTerminalJobState(e.state)) {
          const dispatcher = this.context.parent as ActorRef<DispatcherMessage>;
          dispatcher.tell({ type: "jobStateChanged", jobId: this.jobId, state: e.state });
        }
        return this.tellStatus(e.state, e.attempt, e.message);
      case "startCheckpoints":
        this.checkpoints?.deployed(this.checkpointTasks);
        this.checkpointTasks = [];
        return;
      case "checkpointTaskFinished":
        return this.checkpoints?.taskFinished(e.taskId);
      case "resetCheckpoints":
        return this.checkpoints?.reset();
      case "stopCheckpoints":
        return this.checkpoints?.stop(e.discard);
      case "jobEnded":
        return this.ended(e);
      case "warn":
        return this.context.system.log(e.message, { jobId: this.jobId });
    }
  }

  /** One line per state change of the job (info on a master, debug in an embedded cluster). */
  private logState(state: JobState, reason?: string): void {
    const from = this.loggedState;
    this.loggedState = state;
    // A failure's stack goes with the line that names it (JSON only: text keeps one line).
    const stack = state === "FAILED" || state === "RESTARTING"
      ? this.scheduler.failureCause?.stack
      : undefined;
    this.context.system.info(
      `job '${this.submission.jobName}' ${from === state ? "is " : `${from} -> `}${state}` +
        (reason === undefined ? "" : ` (${reason})`),
      {
        jobId: this.jobId,
        jobName: this.submission.jobName,
        event: "jobState",
        state,
        previousState: from,
        attempt: this.scheduler.attempt,
        ...(stack === undefined ? {} : { stack }),
      },
    );
  }

  private tellStatus(state: JobState, attempt: number, message?: string): void {
    this.client?.tell({
      type: "jobStatus",
      jobId: this.jobId,
      jobName: this.submission.jobName,
      state,
      attempt,
      message,
    });
  }

  /** Asks for slots; the answer comes back as a message, so the mailbox stays free. */
  private allocateSlots(attempt: number, count: number): void {
    const timeoutMs = this.submission.slotTimeoutMs ?? DEFAULT_SLOT_TIMEOUT_MS;
    const self = this.context.self;
    Promise.all([
      askResourceManager(this.resourceManager, {
        type: "allocateSlots",
        jobId: this.jobId,
        count,
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
    // A checkpoint whose tasks were told it completed must be found: its metadata first.
    await this.checkpoints.settled();
    // A job a new leader recovered resumes from its newest checkpoint, even before it takes one.
    const recovered = this.durable.recoveredFromCheckpointId !== undefined;
    if (this.checkpoints.latestCompleted !== undefined || recovered) {
      const { root } = this.checkpoints.options;
      const latest = await latestCheckpointRestore(root, this.jobId, (id, reason) => {
        const message = `checkpoint ${id} is corrupt and skipped: ${reason}`;
        this.context.system.log(message, { jobId: this.jobId });
        this.tellStatus("RESTARTING", this.scheduler.attempt, message);
      });
      if (latest !== undefined) return latest;
    }
    const from = this.submission.restoreFrom;
    return from === undefined ? undefined : await savepointRestore(from, this.submission.jobGraph);
  }

  /** Cancels the job; a job that already ended refuses (HTTP 409), and nothing changes. */
  private cancel(): unknown {
    const state = this.scheduler.state;
    if (isTerminalJobState(state)) {
      return replyError(new JobConflictError(`job ${this.jobId} is ${state}`));
    }
    this.handle({ type: "cancel" });
    return { jobId: this.jobId, state: "CANCELLING" } satisfies JobMasterReplies["cancel"];
  }

  /** Why the job cannot take a savepoint now, if it cannot. */
  private savepointRefusal(): string | undefined {
    const state = this.scheduler.state;
    if (isTerminalJobState(state)) {
      return `job ${this.jobId} is ${state}: only a running job takes a savepoint`;
    }
    if (this.checkpoints === undefined) {
      return `job ${this.jobId} runs in batch mode: batch jobs take no savepoints`;
    }
    if (state !== "RUNNING" || !this.scheduler.graph.allIn("RUNNING")) {
      return `job ${this.jobId} is ${state} and its tasks are not all running yet: ` +
        `try again once they run`;
    }
    return undefined;
  }

  /**
   * Takes a savepoint (then cancels the job if asked; with `stop`, its sources
   * end after it and the job FINISHES); answers with its directory.
   */
  private triggerSavepoint(
    targetDir: string | undefined,
    cancel: boolean,
    stop: StopMode | undefined,
  ): unknown {
    if (stop !== undefined && !isOneOf(STOP_MODES, stop)) {
      return replyError(
        new InvalidRequestError(`stop must be ${choices(STOP_MODES)}, got ${stop}`),
      );
    }
    const refusal = this.savepointRefusal();
    const checkpoints = this.checkpoints;
    if (refusal !== undefined || checkpoints === undefined) {
      return replyError(new JobConflictError(refusal ?? `job ${this.jobId} takes no savepoints`));
    }
    const self = this.context.self as ActorRef<JobMasterMessage>;
    return new DeferredReply(
      checkpoints.triggerSavepoint(targetDir, stop).then((location) => {
        if (cancel) self.tell({ type: "cancel" });
        return { location } satisfies JobMasterReplies["triggerSavepoint"];
      }),
    );
  }

  /** Sends each task to its slot; checkpoints start once every task runs. */
  private deploy(attempt: number, tasks: readonly TaskToDeploy[], restore?: TaskRestore): void {
    const context: AttemptContext = {
      jobId: this.jobId,
      attempt,
      submission: this.submission,
      graph: this.scheduler.graph,
      checkpointDir: this.checkpoints?.jobDir,
      restore,
      jobMaster: this.context.self,
    };
    const vertices = this.submission.jobGraph.vertices;
    this.checkpointTasks = tasks.map((t) => {
      const task = taskDeployment(context, t.vertexId, t.subtaskIndex);
      t.slot.taskExecutor.tell({ type: "submitTask", task });
      return {
        taskId: t.taskId,
        vertexId: t.vertexId,
        subtaskIndex: t.subtaskIndex,
        source: vertices.find((v) => v.id === t.vertexId)!.inputs.length === 0,
        executor: t.slot.taskExecutor,
      };
    });
  }

  private onMetrics(taskId: string, metrics: TaskMetrics) {
    const { vertexId, subtaskIndex } = parseTaskId(this.jobId, taskId);
    const s = this.scheduler.graph.get(vertexId, subtaskIndex);
    if (s !== undefined) s.metrics = metrics;
    const now = Date.now();
    if (this.client && now - this.lastProgressMs >= 500) {
      this.lastProgressMs = now;
      this.client.tell({
        type: "progress",
        jobId: this.jobId,
        vertices: this.scheduler.graph.progress(),
      });
    }
  }

  /** Tells the client the result or the failure, and the Dispatcher that the job ended. */
  private ended(e: Extract<SchedulingEffect, { type: "jobEnded" }>): void {
    this.endMs = Date.now();
    const jobName = this.submission.jobName;
    if (e.state === "FINISHED") {
      this.endMessage = {
        type: "jobFinished",
        result: {
          jobId: this.jobId,
          jobName,
          state: "FINISHED",
          durationMs: this.endMs - this.startMs,
          slots: e.slots,
          vertices: this.scheduler.graph.vertexMetrics(),
        },
      };
    }
    if (e.state === "FAILED") this.endMessage = { type: "jobFailed", jobName, failure: e.failure };
    if (e.state === "CANCELED") {
      this.endMessage = {
        type: "jobStatus",
        jobId: this.jobId,
        jobName,
        state: "CANCELED",
        attempt: this.scheduler.attempt,
      };
    }
    if (e.state !== "CANCELED" && this.endMessage) this.client?.tell(this.endMessage);
    const dispatcher = this.context.parent as ActorRef<DispatcherMessage>;
    dispatcher.tell({ type: "jobEnded", jobId: this.jobId, state: e.state });
  }

  private details(): JobMasterReplies["details"] {
    return {
      jid: this.jobId,
      name: this.submission.jobName,
      state: this.scheduler.state,
      attempt: this.scheduler.attempt,
      startTime: this.startMs,
      endTime: this.endMs ?? -1,
      duration: (this.endMs ?? Date.now()) - this.startMs,
      restartStrategy: this.restartStrategy.describe(),
      failure: this.scheduler.failureCause,
      checkpoints: this.checkpoints?.history() ?? [],
      checkpointCounts: this.checkpoints?.counts() ?? { completed: 0, failed: 0, inProgress: 0 },
      vertices: this.scheduler.graph.details(),
      edges: this.scheduler.graph.edgeDetails(),
    };
  }
}
