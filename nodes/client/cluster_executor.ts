/**
 * ClusterExecutor: the client side of a job. It submits the plan to a
 * dispatcher (in this process or over RPC), then follows the job through a
 * JobClient actor that receives state changes, progress, collected records
 * and the final result.
 * @module
 */

import { type CollectListener, type JobExecutor, type JobPlan } from "../../core/graph/job_plan.ts";
import { JobExecutionError, type JobExecutionResult } from "../../core/graph/job_result.ts";
import { planSubmission } from "../protocol/plan_submission.ts";
import { CLIENT_SCHEMA, type ClientMessage } from "../protocol/client.ts";
import type { JobModuleSource } from "../protocol/deployment.ts";
import {
  askDispatcher,
  type DispatcherMessage,
  type JobSubmission,
} from "../protocol/dispatcher.ts";
import { Actor, type ActorRef, replyError } from "../rpc/actor.ts";
import type { ActorSystem } from "../rpc/actor_system.ts";
import { checkMessage, InvalidMessageError } from "../rpc/message_schema.ts";

/** What the client hears while a job runs. */
export interface JobListener {
  onStatus?(m: Extract<ClientMessage, { type: "jobStatus" }>): void;
  onProgress?(m: Extract<ClientMessage, { type: "progress" }>): void;
  onCheckpoint?(m: Extract<ClientMessage, { type: "checkpointCompleted" }>): void;
}

/** Where and how a ClusterExecutor submits. */
export interface ClusterExecutorOptions extends JobListener {
  readonly system: ActorSystem;
  readonly dispatcher: ActorRef<DispatcherMessage>;
  /** Makes the job module available to the cluster's slots. */
  readonly moduleSource: (plan: JobPlan) => Promise<JobModuleSource>;
  /** Told the job's id and the actor following it once the job is accepted. */
  readonly onSubmitted?: (jobId: string, client: ActorRef<ClientMessage>) => void;
  readonly restartStrategy?: string;
  /** Start the job from this savepoint. */
  readonly restoreFrom?: JobSubmission["restoreFrom"];
  readonly slotTimeoutMs?: number;
  /** Return as soon as the job is accepted (the result then only holds its id). */
  readonly detached?: boolean;
}

/** The job was cancelled before it finished. */
/** What a detached submission returns at once: the job's id; it goes on running. */
export function detachedResult(jobId: string, jobName: string): JobExecutionResult {
  return { jobId, jobName, state: "FINISHED", durationMs: 0, slots: 0, vertices: [] };
}

export class JobCanceledError extends Error {
  override readonly name = "JobCanceledError";
}

/** Follows one job for the client: hears the JobMaster's ClientMessages. */
class JobClient extends Actor<ClientMessage> {
  constructor(
    private readonly listener: JobListener,
    private readonly onCollect: CollectListener | undefined,
    private readonly settle: { resolve(r: JobExecutionResult): void; reject(e: Error): void },
  ) {
    super();
  }
  receive(m: ClientMessage): unknown {
    const invalid = checkMessage(CLIENT_SCHEMA, m);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    switch (m.type) {
      case "jobStatus":
        this.listener.onStatus?.(m);
        if (m.state === "CANCELED") {
          this.settle.reject(new JobCanceledError(`job '${m.jobName}' was cancelled`));
        }
        return;
      case "progress":
        this.listener.onProgress?.(m);
        return;
      case "checkpointCompleted":
        this.listener.onCheckpoint?.(m);
        return;
      case "collect":
        this.onCollect?.(m.collectId, m.records);
        return;
      case "jobFinished":
        this.settle.resolve(m.result);
        return;
      case "jobFailed":
        this.settle.reject(new JobExecutionError(m.jobName, m.failure));
        return;
    }
  }
}

let clients = 0;

/** Submits plans to a dispatcher and follows each job to its end. */
export class ClusterExecutor implements JobExecutor {
  constructor(private readonly options: ClusterExecutorOptions) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const o = this.options;
    const module = await o.moduleSource(plan);
    const submission = planSubmission(plan, module, o);
    let settle!: { resolve(r: JobExecutionResult): void; reject(e: Error): void };
    const done = new Promise<JobExecutionResult>((
      resolve,
      reject,
    ) => (settle = { resolve, reject }));
    const client = o.system.spawn(`client-${clients++}`, () => new JobClient(o, onCollect, settle));
    try {
      const { jobId } = await askDispatcher(o.dispatcher, {
        type: "submitJob",
        submission,
        client: o.detached ? undefined : client,
      });
      o.onSubmitted?.(jobId, client);
      if (o.detached) return detachedResult(jobId, plan.jobName);
      return await done;
    } finally {
      await o.system.stop(client);
    }
  }
}
