/**
 * What the Dispatcher hears from clients (in memory, over RPC or through the
 * REST API) and from its JobMasters, and what it answers.
 * @module
 */

import type { CheckpointTuning, NetworkTuning } from "../../core/graph/job_plan.ts";
import type { JobGraph } from "../../core/graph/job_graph.ts";
import type { CheckpointMode } from "../../core/config/options.ts";
import type { StopMode } from "../../core/checkpoint/barrier_aligner.ts";
import type { ActorRef } from "../rpc/actor.ts";
import { defineSchema } from "../rpc/message_schema.ts";
import { typedAsk } from "../rpc/typed_ask.ts";
import type { ClientMessage } from "./client.ts";
import type { JobDeployment } from "./deployment.ts";
import type { JobState } from "./job_status.ts";
import type {
  CancelJobResponse,
  JobDetails,
  JobExceptionsResponse,
  JobPlanResponse,
  JobSummary,
  SavepointResponse,
  SubmitJobResponse,
} from "./rest.ts";

/** What a client hands the dispatcher (also the body of `POST /api/v1/jobs`). */
export interface JobSubmission {
  readonly jobName: string;
  readonly jobGraph: JobGraph;
  readonly job: Omit<JobDeployment, "jobId" | "jobName">;
  /** Buffer timeout etc. resolved by the client. */
  readonly bufferTimeoutMs: number;
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
  /** Checkpoint every this many ms (0 or absent: no checkpoints). */
  readonly checkpointIntervalMs?: number;
  readonly checkpointMode?: CheckpointMode;
  /** Absolute root of the job's checkpoints (default: the master's `./.spate/checkpoints`). */
  readonly checkpointDir?: string;
  /** Completed checkpoints kept (default 3). */
  readonly retainedCheckpoints?: number;
  /** Checkpoint timeout, min pause, max concurrent, tolerable failures. */
  readonly checkpointConfig?: CheckpointTuning;
  /** Network buffer size and credit windows. */
  readonly network?: NetworkTuning;
  /** Batch jobs take no checkpoints or savepoints. */
  readonly batch?: boolean;
  /** Start from this savepoint (or retained checkpoint) directory. */
  readonly restoreFrom?: { readonly path: string; readonly allowNonRestoredState: boolean };
}

/** Messages of the Dispatcher. */
export type DispatcherMessage =
  /** From a client (asked); `client` hears the job's progress, if given. */
  | { type: "submitJob"; submission: JobSubmission; client?: ActorRef<ClientMessage> }
  | { type: "listJobs" }
  | { type: "jobDetails"; jobId: string }
  | { type: "cancelJob"; jobId: string }
  | {
    type: "triggerSavepoint";
    jobId: string;
    targetDir?: string;
    cancel: boolean;
    stop?: StopMode;
  }
  | { type: "jobPlan"; jobId: string }
  | { type: "jobExceptions"; jobId: string }
  /** From a JobMaster: its job changed to a state that is not terminal (the job list shows it). */
  | { type: "jobStateChanged"; jobId: string; state: JobState }
  /** From a JobMaster: its job reached a terminal state. */
  | { type: "jobEnded"; jobId: string; state: JobState }
  /** From the ResourceManager. */
  | { type: "workerLost"; workerId: string };

/** The replies of the Dispatcher's ask-able messages. */
export interface DispatcherReplies {
  submitJob: SubmitJobResponse;
  listJobs: JobSummary[];
  jobDetails: JobDetails;
  cancelJob: CancelJobResponse;
  triggerSavepoint: SavepointResponse;
  jobPlan: JobPlanResponse;
  jobExceptions: JobExceptionsResponse;
}

/** The schema every DispatcherMessage is checked against. */
export const DISPATCHER_SCHEMA = defineSchema<DispatcherMessage>()({
  submitJob: { submission: "object", "client?": "ref" },
  listJobs: {},
  jobDetails: { jobId: "string" },
  cancelJob: { jobId: "string" },
  triggerSavepoint: {
    jobId: "string",
    "targetDir?": "string",
    cancel: "boolean",
    "stop?": "string",
  },
  jobPlan: { jobId: "string" },
  jobExceptions: { jobId: "string" },
  jobStateChanged: { jobId: "string", state: "string" },
  jobEnded: { jobId: "string", state: "string" },
  workerLost: { workerId: "string" },
});

/**
 * Asks the Dispatcher; the reply type follows from the message.
 *
 * @example
 * ```ts
 * import type { ActorRef } from "../rpc/actor.ts";
 * import { askDispatcher, type DispatcherMessage, type JobSubmission } from "./dispatcher.ts";
 * async function submit(
 *   dispatcher: ActorRef<DispatcherMessage>,
 *   submission: JobSubmission,
 * ): Promise<string> {
 *   const { jobId } = await askDispatcher(dispatcher, { type: "submitJob", submission });
 *   return jobId;
 * }
 * ```
 */
export const askDispatcher = typedAsk<DispatcherMessage, DispatcherReplies>();
