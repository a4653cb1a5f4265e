/**
 * The REST routes of the client SDK (`client/mod.ts`): submitting a job
 * bundle that the master plans, following a job as server-sent events, and
 * reading its collected results. One definition for the master's routes and
 * the SDK.
 * @module
 */

import type { JobPermissions } from "../../core/config/job_permissions.ts";
import type { JobExecutionResult, TaskFailure } from "../../core/graph/job_result.ts";
import type { ClientMessage } from "./client.ts";
import type { JobState } from "./job_status.ts";

/**
 * `POST /api/v1/jobs/bundle`: runs the uploaded bundle (`PUT /api/v1/blobs`)
 * in plan mode on the master and submits the plan it builds.
 */
export interface BundleSubmission {
  /** The bundle's blob key. */
  readonly bundleKey: string;
  /** The job's arguments (its `jobArgs()`). */
  readonly args?: readonly string[];
  /** Default parallelism of the job's operators. */
  readonly parallelism?: number;
  /** The job's sandbox (a bundle with none gets no permissions). */
  readonly permissions?: JobPermissions;
  /** Start from this savepoint (or retained checkpoint) directory. */
  readonly savepoint?: string;
  readonly allowNonRestoredState?: boolean;
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
}

/** `POST /api/v1/jobs/bundle` (HTTP 202). */
export interface BundleSubmitResponse {
  readonly jobId: string;
  readonly jobName: string;
  /** The job graph's fingerprint (the same as the CLI's for the same job and arguments). */
  readonly fingerprint: string;
}

/**
 * One event of `GET /api/v1/jobs/:id/events` (`text/event-stream`, the SSE
 * event name is `type`, its id `<follower epoch>-<number>`: a client that
 * reconnects with `Last-Event-ID` gets the events after it): what a job's
 * client hears, but collected records (read them with
 * `GET /api/v1/jobs/:id/collect`, or ask for them in the stream with
 * `?records=true`: `CollectEvent`s). A job the master does not follow (submitted
 * over RPC) gets `jobStatus` events only, polled from its details.
 */
export type JobEvent = Exclude<ClientMessage, { type: "collect" }>;

/** A batch of collected records in an event stream asked for with `?records=true`. */
export type CollectEvent = Extract<ClientMessage, { type: "collect" }>;

/**
 * A batch of collected records in an event stream asked for with
 * `?records=cbor`: base64 of the batch's CBOR (nodes/protocol/collected_cbor.ts),
 * which keeps what JSON cannot (bigint, Map, Set, Date, typed arrays, undefined, -0).
 */
export interface CollectCborEvent {
  readonly type: "collect";
  readonly collectId: number;
  readonly cbor: string;
}

/**
 * `GET /api/v1/jobs/:id/collect`: the records the job's collect sinks sent so
 * far; JSON, or its CBOR with `Accept: application/cbor` or `?format=cbor`.
 */
export interface CollectResponse {
  readonly jobId: string;
  readonly state: JobState;
  /** Whether the job ended (the records are then complete, but for `truncated`). */
  readonly ended: boolean;
  /** Records by collect id (the order of `executeAndCollect()` calls). */
  readonly records: Readonly<Record<string, readonly unknown[]>>;
  /** Records beyond the master's --max-collect-records were dropped. */
  readonly truncated: boolean;
  readonly result?: JobExecutionResult;
  readonly failure?: TaskFailure;
}

/** The SDK routes' paths. */
export const SDK_PATHS = {
  bundle: "/api/v1/jobs/bundle",
  /** `records`: the collected batches too, as JSON (`true`) or CBOR. */
  events: (jobId: string, records: boolean | "cbor" = false) =>
    `/api/v1/jobs/${encodeURIComponent(jobId)}/events${
      records === false ? "" : `?records=${records}`
    }`,
  collect: (jobId: string) => `/api/v1/jobs/${encodeURIComponent(jobId)}/collect`,
} as const;
