/**
 * The master's REST API (`/api/v1`, JSON, after Flink's): each route's path,
 * request and response body, as the master serves them and clients read them.
 * @module
 */

import type { CheckpointCounts, CheckpointStats } from "../../core/checkpoint/checkpoint_stats.ts";
import type { TaskFailure, TaskMetrics, VertexMetrics } from "../../core/graph/job_result.ts";
import type { JobEdge } from "../../core/graph/job_graph.ts";
import type { ExecutionState, JobState } from "./job_status.ts";

/** Prefix of every REST route. */
export const REST_PREFIX = "/api/v1";
/** `PUT` a job bundle (answers BlobUploadResponse); `GET <path>/<key>` fetches one. */
export const BLOBS_PATH = `${REST_PREFIX}/blobs`;

/**
 * The path of the blob with `key`.
 *
 * @example
 * ```ts
 * import { blobPath } from "./rest.ts";
 * console.assert(blobPath("ab").endsWith("/blobs/ab"));
 * ```
 */
export function blobPath(key: string): string {
  return `${BLOBS_PATH}/${key}`;
}

/** The body of every error answer (HTTP 4xx and 5xx; which error gets which: `errors.ts`). */
export interface ErrorResponse {
  readonly errors: string[];
}

/** A worker as the REST API shows it. */
export interface WorkerInfo {
  readonly id: string;
  readonly name: string;
  readonly dataAddress: string;
  /** Where Prometheus scrapes the worker (`GET`, on its data server's port). */
  readonly metricsUrl: string;
  readonly slotsTotal: number;
  readonly slotsFree: number;
  readonly managedMemoryBytes: number;
  readonly lastHeartbeatMs: number;
}

/** The ResourceManager's view of the cluster (its `overview` reply). */
export interface ClusterOverview {
  readonly workers: WorkerInfo[];
  readonly slotsTotal: number;
  readonly slotsFree: number;
}

/** A job in the Dispatcher's list (`endTime` -1 while it runs). */
export interface JobSummary {
  readonly jobId: string;
  readonly name: string;
  readonly startTime: number;
  readonly state: JobState;
  readonly endTime: number;
}

/** `GET /api/v1/overview`. */
export interface OverviewResponse {
  /** The master's spate version. */
  readonly version: string;
  readonly taskmanagers: number;
  readonly slotsTotal: number;
  readonly slotsAvailable: number;
  readonly jobsRunning: number;
  readonly jobsFinished: number;
  readonly jobsCanceled: number;
  readonly jobsFailed: number;
  /** Leadership, on a master started with `--ha etcd`. */
  readonly ha?: HaOverview;
}

/** Who leads a cluster of masters with high availability, as one master sees it. */
export interface HaOverview {
  readonly mode: "etcd";
  readonly clusterId: string;
  /** The leader's URL, or null while none is known. */
  readonly leader: string | null;
  /** The leader's term (its fencing token), or null while none is known. */
  readonly term: number | null;
  /** The other candidates' URLs. */
  readonly standbys: readonly string[];
  /** Whether the master that answered leads. */
  readonly isLeader: boolean;
}

/** `GET /api/v1/overview` on a standby master: its version and who leads. */
export interface StandbyOverviewResponse {
  readonly version: string;
  readonly ha: HaOverview;
}

/** `GET /api/v1/jobs`. */
export interface JobListResponse {
  readonly jobs: (JobSummary & { readonly id: string })[];
}

/** One subtask in a job's details. */
export interface SubtaskDetails {
  readonly subtask: number;
  readonly state: ExecutionState;
  readonly worker?: string;
  readonly slot?: number;
  readonly managedMemoryBytes?: number;
  readonly metrics: TaskMetrics;
  readonly failure?: string;
}

/** One vertex in a job's details: its summed metrics and its subtasks. */
export interface VertexDetails extends VertexMetrics {
  readonly subtasks: SubtaskDetails[];
}

/** One job edge in a job's details. */
export interface EdgeDetails {
  readonly source: number;
  readonly target: number;
  readonly partitioner: JobEdge["partitioner"];
}

/** `GET /api/v1/jobs/:id` (the JobMaster's `details` reply). */
export interface JobDetails {
  readonly jid: string;
  readonly name: string;
  readonly state: JobState;
  readonly attempt: number;
  readonly startTime: number;
  readonly endTime: number;
  readonly duration: number;
  readonly restartStrategy: string;
  readonly failure?: TaskFailure;
  readonly checkpoints: CheckpointStats[];
  /** Checkpoints completed and failed since the job started (the history keeps the latest). */
  readonly checkpointCounts: CheckpointCounts;
  readonly vertices: VertexDetails[];
  readonly edges: EdgeDetails[];
}

/** `GET /api/v1/jobs/:id/checkpoints`. */
export interface CheckpointHistoryResponse {
  readonly history: CheckpointStats[];
}

/** `POST /api/v1/jobs` (HTTP 202); the request body is a JobSubmission (`dispatcher.ts`). */
export interface SubmitJobResponse {
  readonly jobId: string;
}

/**
 * `PATCH /api/v1/jobs/:id?mode=cancel` (HTTP 202). A job that already ended
 * (FINISHED, FAILED, CANCELED) is answered 409 "job <id> is <state>".
 */
export interface CancelJobResponse {
  readonly jobId: string;
  readonly state: "CANCELLING";
}

/** The body of `POST /api/v1/jobs/:id/savepoints` (both fields optional; answers TriggerResponse). */
export interface SavepointRequest {
  /**
   * Absolute parent directory of the savepoint (default: the master's
   * `./.spate/savepoints`); each savepoint gets its own
   * `savepoint-<job id prefix>-<random>` directory in it.
   */
  readonly targetDirectory?: string;
  /** Cancel the job once the savepoint is complete. */
  readonly cancelJob?: boolean;
}

/**
 * A completed savepoint, as the JobMaster answers a savepoint request (the
 * REST API hands it out through `GET /api/v1/jobs/:id/savepoints/:triggerId`).
 */
export interface SavepointResponse {
  /** The savepoint's own directory, to pass to `spate run --from-savepoint`. */
  readonly location: string;
}

/** `GET /api/v1/taskmanagers`. */
export interface TaskManagersResponse {
  readonly taskmanagers: WorkerInfo[];
}

/** `PUT /api/v1/blobs` (HTTP 201). */
export interface BlobUploadResponse {
  readonly key: string;
}

/** One operator of a job vertex (a chain), head first. */
export interface PlanOperator {
  /** The stream node's id. */
  readonly id: number;
  readonly name: string;
  /** The uid its state is matched by on restore. */
  readonly uid: string;
}

/** A vertex of `GET /api/v1/jobs/:id/plan`. */
export interface PlanVertex {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly slotSharingGroup: string;
  readonly operators: PlanOperator[];
}

/** An edge of `GET /api/v1/jobs/:id/plan`. */
export interface PlanEdge {
  readonly source: number;
  readonly target: number;
  readonly partitioner: JobEdge["partitioner"];
  /** Which input of the target's head it feeds (1: a two-input operator's second). */
  readonly inputIndex: 0 | 1;
}

/** `GET /api/v1/jobs/:id/plan`: the job graph (Flink's JobPlanInfo). */
export interface JobPlanResponse {
  readonly jid: string;
  readonly name: string;
  readonly vertices: PlanVertex[];
  readonly edges: PlanEdge[];
}

/** One failure of a job: a task's, a worker's, the scheduler's or the checkpoint coordinator's. */
export interface ExceptionEntry {
  /** When the JobMaster learned of it (ms since the epoch). */
  readonly timestamp: number;
  /** The attempt that failed (0 the first). */
  readonly attempt: number;
  /** The failing operator, or `(worker)`, `(scheduler)`, `(checkpoint coordinator)`. */
  readonly operator: string;
  readonly vertex: string;
  /** The failing subtask; absent for a failure of no subtask. */
  readonly subtask?: number;
  /** The worker the subtask ran on, if known. */
  readonly worker?: string;
  /** The error's message. */
  readonly exception: string;
  readonly stacktrace?: string;
}

/** `GET /api/v1/jobs/:id/exceptions` (after Flink's JobExceptionsInfoWithHistory). */
export interface JobExceptionsResponse {
  /** The latest failure: what restarted or failed the job. */
  readonly rootException?: ExceptionEntry;
  /** One entry per failed attempt, newest first. */
  readonly history: ExceptionEntry[];
  /** True when older entries were dropped (the history keeps a bounded number). */
  readonly truncated: boolean;
}

/** One subtask of `GET /api/v1/jobs/:id/vertices/:vid`. */
export interface VertexSubtaskInfo {
  readonly subtask: number;
  readonly state: ExecutionState;
  readonly worker?: string;
  /** The worker's name and data address, if it is still registered. */
  readonly workerName?: string;
  readonly host?: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Time the subtask waited for room at its outputs. */
  readonly backpressuredMs: number;
  /** backpressuredMs over the time the job ran (0..1), as Flink's backPressuredTimeMsPerSecond/1000. */
  readonly backpressureRatio: number;
  /** The subtask's current watermark (event time, ms), where tasks report one. */
  readonly watermarkMs?: number;
  readonly failure?: string;
}

/** `GET /api/v1/jobs/:id/vertices/:vid` (Flink's JobVertexDetailsInfo). */
export interface VertexInfoResponse {
  readonly id: number;
  readonly name: string;
  readonly parallelism: number;
  readonly subtasks: VertexSubtaskInfo[];
}

/** The body of `POST /api/v1/jobs/:id/stop` (both fields optional). */
export interface StopRequest {
  /** Parent directory of the savepoint (as for savepoints). */
  readonly targetDirectory?: string;
  /**
   * Emit MAX_WATERMARK before the savepoint, so every event-time window and
   * timer fires (Flink's `stop --drain`); without it the job is suspended as is.
   */
  readonly drain?: boolean;
}

/** `POST /api/v1/jobs/:id/savepoints` and `POST /api/v1/jobs/:id/stop` (HTTP 202). */
export interface TriggerResponse {
  /** Poll `GET /api/v1/jobs/:id/savepoints/<request-id>` for the outcome. */
  readonly "request-id": string;
}

/** The states of an asynchronous savepoint (or stop). */
export const TRIGGER_STATUSES = ["IN_PROGRESS", "COMPLETED"] as const;

/** `GET /api/v1/jobs/:id/savepoints/:triggerId`. */
export interface TriggerStatusResponse {
  readonly status: (typeof TRIGGER_STATUSES)[number];
  /** Once COMPLETED and successful: the savepoint's directory. */
  readonly location?: string;
  /** Once COMPLETED and failed: why. */
  readonly failure?: string;
}

/** `GET /api/v1/taskmanagers/:id`: a worker and the tasks in its slots. */
export interface TaskManagerDetailsResponse extends WorkerInfo {
  readonly tasks: {
    readonly jobId: string;
    readonly vertex: string;
    readonly subtask: number;
    readonly slot?: number;
    readonly state: ExecutionState;
  }[];
}

/** One setting of `GET /api/v1/config`. */
export interface ConfigEntry {
  /** The registry's key (`heartbeatIntervalMs`). */
  readonly key: string;
  /** Its flag, if one sets it. */
  readonly flag?: string;
  /** The value in effect (a secret shows as `"(hidden)"`). */
  readonly value: unknown;
  /** Where the value came from. */
  readonly source: "flag" | "default";
}

/** `GET /api/v1/config`: the master's effective settings (Flink's `/jobmanager/config`). */
export interface ConfigResponse {
  readonly version: string;
  readonly settings: ConfigEntry[];
}
