/**
 * SpateClient: submits and follows jobs on a spate cluster over its REST API
 * (the same on Node and Deno). Results are typed by the routes' own types.
 * @module
 */

import type {
  BlobUploadResponse,
  CancelJobResponse,
  JobDetails,
  JobListResponse,
  OverviewResponse,
  SubmitJobResponse,
  TriggerResponse,
  TriggerStatusResponse,
} from "../nodes/protocol/rest.ts";
import { BLOBS_PATH, REST_PREFIX } from "../nodes/protocol/rest.ts";
import {
  type BundleSubmission,
  type BundleSubmitResponse,
  type CollectCborEvent,
  type CollectEvent,
  type CollectResponse,
  type JobEvent,
  SDK_PATHS,
} from "../nodes/protocol/sdk.ts";
import type { JobPermissions } from "../core/config/job_permissions.ts";
import { OPTIONS } from "../core/config/options.ts";
import type { JobSubmission } from "../nodes/protocol/dispatcher.ts";
import { isTerminalJobState } from "../nodes/protocol/job_status.ts";
import { CBOR_MEDIA_TYPE, decodeCollected, fromBase64 } from "../nodes/protocol/collected_cbor.ts";
import { bundleJob } from "./bundle.ts";
import {
  JobFailedError,
  MasterUnreachableError,
  SavepointFailedError,
  SpateHttpError,
} from "./errors.ts";
import { serverSentEvents } from "./sse.ts";
import { type ConnectOptions, Transport } from "./transport.ts";

/** How a job is submitted. */
export interface SubmitOptions {
  /** The job's arguments (its `jobArgs()`). */
  readonly args?: readonly string[];
  /** Default parallelism of its operators. */
  readonly parallelism?: number;
  /** Start from this savepoint directory. */
  readonly savepoint?: string;
  readonly allowNonRestoredState?: boolean;
  /** The job's sandbox (a bundle with none gets no permissions). */
  readonly permissions?: JobPermissions;
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
}

/** Where a savepoint goes. */
export interface SavepointOptions {
  readonly targetDirectory?: string;
  /** Cancel the job once the savepoint completed. */
  readonly cancelJob?: boolean;
}

/** How watch() follows its job. */
export interface WatchOptions {
  /** Stop watching when it aborts. */
  readonly signal?: AbortSignal;
  /** The collected record batches too, as `collect` events (read as CBOR: with their types). */
  readonly records?: boolean;
}

/** First pause before a broken watch looks for the leader again (doubled up to the max). */
const FAILOVER_PAUSE_MS = 100;
const FAILOVER_PAUSE_MAX_MS = 1_000;

/**
 * Whether `e` ends a job's event stream: nothing follows it. A followed job's
 * (numbered events) ends with its result; a polled one's with a final state.
 */
function endsWatch(e: JobEvent | CollectEvent, polled: boolean): boolean {
  if (e.type === "jobFinished" || e.type === "jobFailed") return true;
  return e.type === "jobStatus" &&
    (e.state === "CANCELED" || polled && isTerminalJobState(e.state));
}

/** Whether a watch lost its master (it may find the leader again), not a refusal or a bug. */
function lostMaster(e: unknown): boolean {
  if (e instanceof SpateHttpError) return e.status === 503;
  if (e instanceof MasterUnreachableError) return true;
  const code = String((e as { code?: unknown })?.code ?? "");
  return code.startsWith("UND_ERR") || code.startsWith("ECONN") || e instanceof TypeError;
}

/** An event as its stream sent it, with a collect batch's CBOR decoded to its records. */
function eventOf(data: string): JobEvent | CollectEvent {
  const e = JSON.parse(data) as JobEvent | CollectEvent | CollectCborEvent;
  if (e.type !== "collect" || !("cbor" in e)) return e;
  const records = decodeCollected(fromBase64(e.cbor));
  if (!Array.isArray(records)) throw new TypeError("a collect event's CBOR is not an array");
  return { type: "collect", collectId: e.collectId, records };
}

const jobPath = (id: string) => `${REST_PREFIX}/jobs/${encodeURIComponent(id)}`;

/** A connection to a spate cluster. Close it when done. */
export class SpateClient {
  private readonly http: Transport;

  constructor(options: ConnectOptions) {
    this.http = new Transport(options);
  }

  /** The master that answered last (the leader, with several masters). */
  get leader(): string {
    return this.http.leader;
  }

  /**
   * Submits a job: a module path (bundled here with esbuild, `spate` kept external) or a bundle's
   * bytes. The master plans it with `args` and runs it; returns its id.
   */
  async submit(job: string | Uint8Array, o: SubmitOptions = {}): Promise<BundleSubmitResponse> {
    const bytes = typeof job === "string" ? await bundleJob(job) : job;
    const { key } = await this.upload(bytes);
    const body: BundleSubmission = { bundleKey: key, ...o };
    return await this.http.json<BundleSubmitResponse>("POST", SDK_PATHS.bundle, body, false);
  }

  /**
   * Submits a job graph a program planned itself (what `spate run --master`
   * does: the job's module runs in the program, its bundle is uploaded, see
   * upload()); the master follows it for watch() and collect(). Returns its id.
   */
  async submitGraph(submission: JobSubmission): Promise<string> {
    return (await this.http.json<SubmitJobResponse>(
      "POST",
      `${REST_PREFIX}/jobs`,
      submission,
      false,
    )).jobId;
  }

  /** Every job the master knows. */
  async jobs(): Promise<JobListResponse["jobs"]> {
    return (await this.http.json<JobListResponse>("GET", `${REST_PREFIX}/jobs`)).jobs;
  }

  /** A job's details: state, vertices with their metrics, checkpoints. */
  job(id: string): Promise<JobDetails> {
    return this.http.json<JobDetails>("GET", jobPath(id));
  }

  /** The cluster's overview. */
  overview(): Promise<OverviewResponse> {
    return this.http.json<OverviewResponse>("GET", `${REST_PREFIX}/overview`);
  }

  /** The master's metrics in Prometheus' text format. */
  async metrics(): Promise<string> {
    return await (await this.http.call("GET", "/metrics", { idempotent: true })).body.text();
  }

  /**
   * The job's events (state changes, progress, checkpoints, its end) as they
   * happen, from its start; ends with the job. With `records`, the collected
   * record batches too (`collect` events). When the stream breaks (the master
   * went away), the watch finds the leader again, within `failoverMs`, and
   * goes on where it left off (from the job's start at a new leader, which
   * resumed the job). Break out of the loop (or abort `signal`) to stop watching.
   */
  watch(id: string, o?: AbortSignal | WatchOptions & { records?: false }): AsyncGenerator<JobEvent>;
  watch(id: string, o: WatchOptions): AsyncGenerator<JobEvent | CollectEvent>;
  async *watch(
    id: string,
    o: AbortSignal | WatchOptions = {},
  ): AsyncGenerator<JobEvent | CollectEvent> {
    const { signal, records = false } = o instanceof AbortSignal ? { signal: o } : o;
    let lastId: string | undefined;
    let deadline = Date.now() + this.http.failoverMs;
    for (let pause = FAILOVER_PAUSE_MS;; pause = Math.min(pause * 2, FAILOVER_PAUSE_MAX_MS)) {
      let ended = false;
      try {
        // Records come as CBOR: the values executeAndCollect() gets locally (JSON has no bigint...).
        const res = await this.http.call("GET", SDK_PATHS.events(id, records && "cbor"), {
          idempotent: true,
          stream: true,
          signal,
          ...(lastId === undefined ? {} : { headers: { "last-event-id": lastId } }),
        });
        const abort = () => res.body.destroy();
        signal?.addEventListener("abort", abort);
        try {
          for await (const e of serverSentEvents(res.body)) {
            if (e.id !== undefined) lastId = e.id;
            deadline = Date.now() + this.http.failoverMs;
            pause = FAILOVER_PAUSE_MS;
            const event = eventOf(e.data);
            ended = endsWatch(event, e.id === undefined);
            yield event;
            if (signal?.aborted) return;
          }
        } finally {
          signal?.removeEventListener("abort", abort);
          res.body.destroy();
        }
        // The master closes the stream after the job's end; else it went away.
        if (ended) return;
      } catch (e) {
        if (signal?.aborted || !lostMaster(e)) throw e;
        if (Date.now() + pause > deadline) {
          throw e instanceof MasterUnreachableError && lastId === undefined
            ? e
            : new MasterUnreachableError(this.http.masters, e, lastId !== undefined);
        }
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /**
   * Waits for the job to end and returns its collected records (the
   * `executeAndCollect()` streams, by collect id, with their types: read as
   * CBOR) and result. A failed or
   * cancelled job throws JobFailedError.
   */
  async collect(id: string): Promise<CollectResponse> {
    for await (const e of this.watch(id)) {
      if (e.type === "jobFailed") {
        throw new JobFailedError(id, "FAILED", e.failure.message);
      }
      if (e.type === "jobStatus" && e.state === "CANCELED") {
        throw new JobFailedError(id, "CANCELED", "the job was cancelled");
      }
    }
    const res = await this.http.call("GET", SDK_PATHS.collect(id), {
      idempotent: true,
      headers: { accept: CBOR_MEDIA_TYPE },
    });
    return decodeCollected(new Uint8Array(await res.body.arrayBuffer())) as CollectResponse;
  }

  /** Cancels the job (it goes CANCELLING, then CANCELED). */
  cancel(id: string): Promise<CancelJobResponse> {
    return this.http.json<CancelJobResponse>(
      "PATCH",
      `${jobPath(id)}?mode=cancel`,
      undefined,
      false,
    );
  }

  /** Takes a savepoint of the running job; returns its directory (SavepointFailedError: why not). */
  savepoint(id: string, o: SavepointOptions = {}): Promise<string> {
    return this.trigger(id, "savepoints", { ...o });
  }

  /** Stops the job with a savepoint (`drain`: event time ends first); returns its directory. */
  stop(id: string, o: { targetDirectory?: string; drain?: boolean } = {}): Promise<string> {
    return this.trigger(id, "stop", { ...o });
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.http.close();
  }

  /** Uploads a job bundle to the master's blob store (content-addressed: its key is its hash). */
  async upload(bytes: Uint8Array): Promise<BlobUploadResponse> {
    const res = await this.http.call("PUT", BLOBS_PATH, {
      body: bytes,
      contentType: "application/octet-stream",
      idempotent: true, // content-addressed: the same bytes give the same key
    });
    return await res.body.json() as BlobUploadResponse;
  }

  private async trigger(id: string, route: "savepoints" | "stop", body: object): Promise<string> {
    const started = await this.http.json<TriggerResponse>(
      "POST",
      `${jobPath(id)}/${route}`,
      body,
      false,
    );
    const poll = `${jobPath(id)}/savepoints/${encodeURIComponent(started["request-id"])}`;
    for (;;) {
      const s = await this.http.json<TriggerStatusResponse>("GET", poll);
      if (s.status === "COMPLETED") {
        if (s.location !== undefined) return s.location;
        throw new SavepointFailedError(id, s.failure ?? "the savepoint failed");
      }
      await new Promise((r) => setTimeout(r, OPTIONS.savepointPollIntervalMs.default));
    }
  }
}

/** Connects to a cluster (lazily: the first call reaches the masters). */
export function connect(options: ConnectOptions): SpateClient {
  return new SpateClient(options);
}
