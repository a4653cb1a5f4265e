/**
 * TaskExecutor: a worker's actor. It registers the worker's slots with the
 * ResourceManager, answers its heartbeats (one per worker, whatever the number
 * of tasks), runs each slot as a Web Worker, wires task channels through the
 * process's NetworkEnvironment, and reports task states to their JobMasters.
 * @module
 */

import { fileSystemSettings } from "../../core/fs/file_system.ts";
import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import type { JobModuleSource, TaskDeployment } from "../protocol/deployment.ts";
import { askJobMaster, type JobMasterMessage } from "../protocol/job_master.ts";
import type { ExecutionState } from "../protocol/job_status.ts";
import {
  askResourceManager,
  type RegistrationReply,
  type ResourceManagerMessage,
} from "../protocol/resource_manager.ts";
import { TASK_EXECUTOR_SCHEMA, type TaskExecutorMessage } from "../protocol/task_executor.ts";
import { Actor, type ActorRef, FencingTokenError, replyError } from "../rpc/actor.ts";
import { checkMessage, InvalidMessageError, type MessageSchema } from "../rpc/message_schema.ts";
import type { NetworkEnvironment } from "./network/network_environment.ts";
import {
  SLOT_REPORT_SCHEMA,
  type SlotCommand,
  type SlotCrashed,
  type SlotReport,
  type SlotReportMessage,
} from "./slot_protocol.ts";
import { taskDescriptor } from "./slot_deployment.ts";
import type { AlignmentReport } from "./source_alignment.ts";
import type { TaskMetricsTable } from "./task_metrics_table.ts";
import { IngestEndpoints } from "./ingest_endpoints.ts";
import { encodeCollected } from "../protocol/collected_cbor.ts";
import { resolvedS3, slotSandbox } from "./slot_sandbox.ts";
import { type JobSandbox, jobSandbox, spillRoot } from "./job_sandbox.ts";
import { defaultSlotThreads, SlotHosts } from "./slot_hosts.ts";
import type { JobPermissions } from "../../core/config/job_permissions.ts";

/** What a TaskExecutor's mailbox takes: its protocol, and its slots' reports. */
type Inbox = TaskExecutorMessage | SlotReportMessage;
const INBOX_SCHEMA: MessageSchema = { ...TASK_EXECUTOR_SCHEMA, ...SLOT_REPORT_SCHEMA };

/** Resolves a job module to a URL the slots can import (fetching blobs once). */
export type ModuleResolver = (source: JobModuleSource) => Promise<string>;

/** What a TaskExecutor is given by the process that hosts it. */
export interface TaskExecutorOptions {
  readonly workerId: string;
  readonly name: string;
  readonly slots: number;
  /**
   * Web Workers the slots share (`--slot-threads`): fewer than the slots
   * makes slots of one job attempt share one (see `slot_hosts.ts`);
   * default: one per slot, at most one per CPU core (`defaultSlotThreads`).
   */
  readonly slotThreads?: number;
  readonly managedMemoryBytes: number;
  readonly network: NetworkEnvironment;
  readonly resolveModule: ModuleResolver;
  /** Local directory for state the disk backend spills (default: the system temp dir). */
  readonly spillDirectory?: string;
  /**
   * The most a job's code may be given in a slot (a defence behind the
   * master's cap); undefined: no cap (a program's embedded cluster).
   */
  readonly jobPermissionsMax?: JobPermissions;
  /** Called when the master stopped answering heartbeats (the process reconnects). */
  readonly onMasterLost?: (reason: string) => void;
  /** Where the running tasks' latest metrics are kept for the worker's `/metrics`. */
  readonly metrics?: TaskMetricsTable;
  /** Where the readers of ingest sources register (absent: this process serves no HTTP ingest). */
  readonly ingest?: IngestEndpoints;
}

interface RunningTask {
  readonly jobId: string;
  readonly slotIndex: number;
  readonly attempt: number;
  readonly jobMaster: ActorRef<JobMasterMessage>;
}

/** How long a cancelled slot worker may finish what it was told before it is terminated. */
export const CANCEL_GRACE_MS = 1000;

/** A worker's actor: registers its slots and runs the tasks deployed to them. */
export class TaskExecutor extends Actor<Inbox> {
  private readonly hosts: SlotHosts;
  private readonly tasks = new Map<string, RunningTask>();
  private rm: ActorRef<ResourceManagerMessage> | undefined;
  private registration: RegistrationReply | undefined;
  /** The newest leader term a master registered this worker with (0: none, or no HA). */
  private highestTerm = 0;
  /** `type@term` of the stale messages already logged (one line each, not one per message). */
  private readonly refusedTerms = new Set<string>();
  private lastHeartbeatMs = Date.now();
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: TaskExecutorOptions) {
    super();
    this.hosts = new SlotHosts({
      slots: options.slots,
      threads: options.slotThreads ?? defaultSlotThreads(options.slots),
      name: options.name,
      controlCommand: (port, sandbox, slots) => ({
        type: "control",
        port,
        slots,
        // A sandboxed slot cannot read the AWS variables: it is given what they say.
        fileSystems: sandbox === undefined
          ? fileSystemSettings()
          : resolvedS3(fileSystemSettings()),
        revoke: sandbox?.revokeAfterImport,
        revokeAfterJobImport: sandbox?.revokeAfterJobImport,
      }),
      onReport: (host, report) => {
        const self = this.context.self;
        // A crash fails the tasks of every slot the Web Worker served; a report names its task.
        if (report.type !== "slotCrashed") {
          const slotIndex = host.slots.values().next().value!;
          self.tell({ type: "slotReport", slotIndex, report } satisfies Inbox);
          return;
        }
        for (const slotIndex of host.slots) {
          self.tell({ type: "slotReport", slotIndex, report } satisfies Inbox);
        }
      },
      // A slot's ingest readers go with it (a new job or attempt takes the slot over).
      onFree: (index) => this.options.ingest?.dropSlot(index, "its slot was released"),
    });
  }

  override postStop(): void {
    clearInterval(this.watchdog);
    this.hosts.freeAll();
  }

  receive(m: Inbox): unknown {
    const invalid = checkMessage(INBOX_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    // A deposed leader's heartbeats go unanswered (it then counts this worker
    // lost) and its commands are refused: a newer leader registered this worker.
    if ("term" in m && m.term !== undefined && m.term < this.highestTerm) {
      return replyError(this.staleTerm(m.type, m.term));
    }
    switch (m.type) {
      case "connect":
        return this.register(m.rm);
      case "heartbeat":
        this.lastHeartbeatMs = Date.now();
        this.rm?.tell({ type: "heartbeatReply", workerId: this.options.workerId, fence: m.fence });
        return;
      case "submitTask":
        return this.submit(m.task);
      case "cancelJob":
      case "releaseJob":
        return this.releaseJob(m.jobId);
      case "masterLost":
        return this.masterLost(m.reason);
      case "triggerCheckpoint": {
        const t = this.tasks.get(m.taskId);
        const control = t === undefined ? undefined : this.hosts.host(t.slotIndex)?.control;
        const cmd: SlotCommand = {
          type: "triggerCheckpoint",
          taskId: m.taskId,
          barrier: m.barrier,
        };
        control?.postMessage(cmd);
        return;
      }
      case "notifyCheckpointComplete": {
        const byControl = new Map<MessagePort, string[]>();
        for (const [taskId, t] of this.tasks) {
          if (t.jobId !== m.jobId || t.attempt !== m.attempt) continue;
          const control = this.hosts.host(t.slotIndex)?.control;
          if (control !== undefined) {
            byControl.set(control, [...byControl.get(control) ?? [], taskId]);
          }
        }
        for (const [control, taskIds] of byControl) {
          const cmd: SlotCommand = {
            type: "notifyCheckpointComplete",
            taskIds,
            checkpointId: m.checkpointId,
          };
          control.postMessage(cmd);
        }
        return;
      }
      case "slotReport":
        return this.onSlotReport(m.slotIndex, m.report);
    }
  }

  /** The error for a message of a deposed leader's `term`; logged once per term and kind. */
  private staleTerm(type: string, term: number): FencingTokenError {
    const error = new FencingTokenError(
      `worker ${this.options.name} refuses ${type} from the master of leader term ${term}: ` +
        `it is registered with term ${this.highestTerm} (a newer leader)`,
    );
    const key = `${type}@${term}`;
    if (!this.refusedTerms.has(key)) {
      this.refusedTerms.add(key);
      this.context.system.info(error.message);
    }
    return error;
  }

  /** Registers this worker's slots; answers with the master's settings. */
  private async register(rm: ActorRef<ResourceManagerMessage>): Promise<RegistrationReply> {
    const o = this.options;
    const reply = await askResourceManager(rm, {
      type: "registerWorker",
      worker: {
        workerId: o.workerId,
        name: o.name,
        slots: o.slots,
        managedMemoryBytes: o.managedMemoryBytes,
        processId: o.network.processId,
        dataAddress: o.network.dataAddress,
        ...(o.network.acceptsInbound ? {} : { inbound: false }),
        ...(o.network.relays ? { relay: true } : {}),
        taskExecutor: this.context.self as ActorRef<TaskExecutorMessage>,
      },
    });
    if (reply.term !== undefined && reply.term < this.highestTerm) {
      throw new FencingTokenError(
        `worker ${o.name} refuses the master of leader term ${reply.term}: it already ` +
          `registered with term ${this.highestTerm} (a newer leader); connect to the current leader`,
      );
    }
    this.highestTerm = Math.max(this.highestTerm, reply.term ?? 0);
    this.rm = rm;
    this.registration = reply;
    this.lastHeartbeatMs = Date.now();
    clearInterval(this.watchdog);
    const { heartbeatIntervalMs, heartbeatTimeoutMs } = this.registration;
    const self = this.context.self;
    this.watchdog = setInterval(() => {
      const silentMs = Date.now() - this.lastHeartbeatMs;
      if (silentMs > heartbeatTimeoutMs) {
        self.tell({
          type: "masterLost",
          reason: `no heartbeat from the master for ${silentMs} ms`,
        });
      }
    }, heartbeatIntervalMs);
    return this.registration;
  }

  private masterLost(reason: string): void {
    if (this.rm === undefined) return;
    clearInterval(this.watchdog);
    this.rm = undefined;
    for (const jobId of new Set([...this.tasks.values()].map((t) => t.jobId))) {
      this.releaseJob(jobId);
    }
    this.options.onMasterLost?.(reason);
  }

  private async submit(task: TaskDeployment): Promise<void> {
    if (!(task.slotIndex >= 0 && task.slotIndex < this.options.slots)) {
      throw new Error(`no slot ${task.slotIndex} on worker ${this.options.name}`);
    }
    this.tasks.set(task.taskId, {
      jobId: task.job.jobId,
      slotIndex: task.slotIndex,
      attempt: task.attempt,
      jobMaster: task.jobMaster,
    });
    this.options.metrics?.deployed(task.taskId, {
      jobId: task.job.jobId,
      jobName: task.job.jobName,
      vertexId: task.vertexId,
      subtaskIndex: task.subtaskIndex,
    });
    let url: string;
    try {
      url = await this.options.resolveModule(task.job.module);
    } catch (e) {
      return this.reportFailure(
        task.taskId,
        task,
        `cannot fetch the job module: ${(e as Error).message}`,
      );
    }
    const sandboxed = jobSandbox(task, url, {
      workerName: this.options.name,
      jobPermissionsMax: this.options.jobPermissionsMax,
      spillDirectory: this.options.spillDirectory,
      network: this.options.network,
    });
    if (typeof sandboxed === "string") return this.reportFailure(task.taskId, task, sandboxed);
    const descriptor = taskDescriptor(task, url, this.options.network, {
      spillDirectory: sandboxed?.spillDirectory ?? this.options.spillDirectory,
      sharesThread: (peer) => this.hosts.sharesThread(task.slotIndex, peer),
    });
    const ports = [...descriptor.inputs, ...descriptor.outputs].flatMap((x) =>
      x.ports.flatMap((p) => p instanceof MessagePort ? [p] : "announce" in p ? [p.announce] : [])
    );
    const control = this.slotControl(task.slotIndex, task.job.jobId, task.attempt, sandboxed);
    if (typeof control === "string") return this.reportFailure(task.taskId, task, control);
    control.postMessage(
      { type: "deploy", task: descriptor, slot: task.slotIndex } satisfies SlotCommand,
      ports,
    );
  }

  /** The control port of slot `index` for `jobId`, starting its Web Worker; a message when it cannot. */
  private slotControl(
    index: number,
    jobId: string,
    attempt: number,
    sandboxed: JobSandbox | undefined,
  ): MessagePort | string {
    return this.hosts.acquire(
      index,
      jobId,
      attempt,
      sandboxed && {
        sandbox: slotSandbox(sandboxed.permissions, sandboxed.needs, sandboxed.imports),
        needs: sandboxed.needs,
      },
    );
  }

  private releaseJob(jobId: string): void {
    for (let i = 0; i < this.options.slots; i++) {
      if (this.hosts.host(i)?.jobId === jobId) this.hosts.free(i, CANCEL_GRACE_MS);
    }
    for (const [id, t] of this.tasks) if (t.jobId === jobId) this.forget(id);
    this.options.network.releaseJob(jobId);
    this.removeSpill(jobId);
  }

  /** Removes a sandboxed job's spill directory once its slots are gone. */
  private removeSpill(jobId: string): void {
    const root = spillRoot(this.options.spillDirectory);
    setTimeout(() => {
      Deno.remove(`${root}/${jobId}`, { recursive: true }).catch(() => {});
    }, CANCEL_GRACE_MS);
  }

  private onSlotReport(slotIndex: number, r: SlotReport | SlotCrashed): void {
    if (r.type === "slotCrashed") {
      this.options.ingest?.dropSlot(slotIndex, `slot worker crashed: ${r.message}`);
      for (const [taskId, t] of this.tasks) {
        if (t.slotIndex !== slotIndex) continue;
        this.forget(taskId);
        this.report(taskId, t, "FAILED", {
          failure: this.failure(`slot worker crashed: ${r.message}`),
        });
      }
      return;
    }
    const t = this.tasks.get(r.taskId);
    if (t === undefined) return;
    switch (r.type) {
      case "ingestReader":
        if (this.options.ingest === undefined) {
          return IngestEndpoints.refuse(
            r.port,
            `worker ${this.options.name} serves no HTTP ingest: run the job on a served cluster ` +
              "(spate master + spate worker, or spate local), which answers POST /ingest/NAME",
          );
        }
        return this.options.ingest.add(
          { jobId: t.jobId, slotIndex: t.slotIndex, taskId: r.taskId },
          r.registration,
          r.port,
        );
      case "collect":
        t.jobMaster.tell({
          type: "collect",
          attempt: t.attempt,
          collectId: r.collectId,
          batch: encodeCollected(r.records),
        });
        return;
      case "running":
        this.options.metrics?.running(r.taskId, r.vertexName);
        return this.report(r.taskId, t, "RUNNING");
      case "metrics":
        this.options.metrics?.reported(r.taskId, r.metrics);
        t.jobMaster.tell({
          type: "taskMetrics",
          taskId: r.taskId,
          attempt: t.attempt,
          metrics: r.metrics,
        });
        return;
      case "checkpointAck":
        t.jobMaster.tell({
          type: "acknowledgeCheckpoint",
          taskId: r.taskId,
          attempt: t.attempt,
          checkpointId: r.checkpointId,
          handle: r.handle,
        });
        return;
      case "checkpointDecline":
        t.jobMaster.tell({
          type: "declineCheckpoint",
          taskId: r.taskId,
          attempt: t.attempt,
          checkpointId: r.checkpointId,
          reason: r.reason,
        });
        return;
      case "watermarkReport":
        return this.alignWatermark(r.taskId, t, r.report);
      case "finished":
        this.forget(r.taskId);
        return this.report(r.taskId, t, "FINISHED", { metrics: r.metrics });
      case "failed":
        this.forget(r.taskId);
        return this.report(r.taskId, t, "FAILED", { failure: r.failure });
    }
  }

  /**
   * Passes a source's watermark to its JobMaster and the answer back to the
   * slot; a lost answer is made good by the next report.
   */
  private alignWatermark(taskId: string, t: RunningTask, report: AlignmentReport): void {
    askJobMaster(t.jobMaster, { type: "alignWatermark", taskId, attempt: t.attempt, ...report })
      .then(({ maxWatermark }) => {
        const cmd: SlotCommand = {
          type: "alignWatermark",
          taskId,
          group: report.group,
          maxWatermark,
        };
        this.hosts.host(t.slotIndex)?.control.postMessage(cmd);
      })
      .catch(() => {});
  }

  /** The task ended or was released: no more reports, no more metrics. */
  private forget(taskId: string): void {
    this.tasks.delete(taskId);
    this.options.ingest?.dropTask(taskId, "its task ended");
    this.options.metrics?.removed(taskId);
  }

  private failure(message: string): TaskFailure {
    return {
      operatorName: `(worker ${this.options.name})`,
      vertexName: "",
      subtaskIndex: -1,
      message,
    };
  }

  private reportFailure(taskId: string, task: TaskDeployment, message: string): void {
    this.forget(taskId);
    const t = {
      jobId: task.job.jobId,
      slotIndex: task.slotIndex,
      attempt: task.attempt,
      jobMaster: task.jobMaster,
    };
    this.report(taskId, t, "FAILED", {
      failure: { ...this.failure(message), subtaskIndex: task.subtaskIndex },
    });
  }

  private report(
    taskId: string,
    t: RunningTask,
    state: ExecutionState,
    extra: { metrics?: TaskMetrics; failure?: TaskFailure } = {},
  ): void {
    t.jobMaster.tell({ type: "taskState", taskId, attempt: t.attempt, state, ...extra });
  }
}
