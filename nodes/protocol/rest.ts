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

/** The body of `POST /api/v1/jobs/:id/savepoints` (both fields optional). */
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
 * `POST /api/v1/jobs/:id/savepoints`: answered once the savepoint is complete.
 * A job that is not running is answered 409.
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
