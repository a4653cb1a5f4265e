/**
 * The master's REST API (JSON, Hono), after Flink's: overview, jobs, job
 * details, task managers, job submission and cancellation, plus the blob
 * store that job bundles are uploaded to and workers fetch from; the routes
 * of `job_routes.ts` (plan, exceptions, vertices, savepoints, stop, config).
 * @module
 */

import { lazyMetrics, METRICS_PATH } from "../../protocol/metrics_route.ts";
import { Logger } from "../../../core/log/logger.ts";
import { Hono } from "hono";
import type { ActorRef } from "../../rpc/actor.ts";
import { askDispatcher, type DispatcherMessage } from "../../protocol/dispatcher.ts";
import { errorStatus, InvalidRequestError, PayloadTooLargeError } from "../../protocol/errors.ts";
import {
  askResourceManager,
  type ResourceManagerMessage,
} from "../../protocol/resource_manager.ts";
import {
  BLOBS_PATH,
  type BlobUploadResponse,
  type CheckpointHistoryResponse,
  type ErrorResponse,
  type HaOverview,
  type JobListResponse,
  type OverviewResponse,
  REST_PREFIX,
  type TaskManagersResponse,
} from "../../protocol/rest.ts";
import type { BlobStore } from "../blob_store.ts";
import { mountJobRoutes } from "./job_routes.ts";
import { mountIngestProxy } from "./ingest_proxy.ts";
import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { mountSdkRoutes } from "./sdk_routes.ts";
import { JobFollowers } from "../job_followers.ts";
import type { ActorSystem } from "../../rpc/actor_system.ts";
import type { JobPermissions } from "../../../core/config/job_permissions.ts";
import { OPENAPI } from "./openapi.ts";
import { DASHBOARD_PREFIX, serveDashboard } from "../dashboard/dashboard.ts";
import { InvalidSubmissionError, validateSubmission } from "./validate_submission.ts";
import { SPATE_VERSION } from "../../../core/version.ts";

import { OPTIONS } from "../../../core/config/options.ts";

const LOG = new Logger("rest");

/** How long a REST call waits for the actors. */
const REST_ASK_TIMEOUT_MS = 10_000;

/** What the REST routes talk to. */
export interface RestDeps {
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
  readonly blobs: BlobStore;
  /** Leadership for the overview, on a master with high availability. */
  readonly ha?: () => HaOverview;
  /** The values the master's flags set, by registry key (`GET /config`). */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Largest request body but a job bundle's (the blob store's limit). */
  readonly maxRequestBodyBytes?: number;
  /** The cluster secret, proven to workers when ingest requests are forwarded to them. */
  readonly secret?: ClusterSecret;
  /** `POST /ingest/NAME` of the workers in the master's process (`spate local`). */
  readonly localIngest?: LocalIngest;
  /** Where the SDK routes' job followers live; without it the SDK routes are not served. */
  readonly system?: ActorSystem;
  /** The followers of the master's jobs (default: new ones in `system`). */
  readonly followers?: JobFollowers;
  readonly maxCollectRecords?: number;
  readonly planTimeoutMs?: number;
  /** The cap of a job's permissions, checked before its bundle is planned. */
  readonly jobPermissionsMax?: JobPermissions;
}

/** Answers an ingest request in this process (`IngestEndpoints.handle` of in-process workers). */
export type LocalIngest = (req: Request, name: string, ack: string | null) => Promise<Response>;

const tooLarge = (bytes: number, limit: number, flag: string) =>
  new PayloadTooLargeError(`request body of ${bytes} bytes exceeds ${limit} (${flag})`);

/** The body, read up to `limit` bytes: a longer one is refused as soon as it is. */
async function readLimited(req: Request, limit: number, flag: string): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw tooLarge(declared, limit, flag);
  if (req.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of req.body) {
    total += chunk.length;
    if (total > limit) throw tooLarge(total, limit, flag);
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** The request's JSON body (`empty` if it has none); malformed JSON is the caller's error. */
async function jsonBody(req: Request, limit: number, empty?: unknown): Promise<unknown> {
  const text = new TextDecoder().decode(
    await readLimited(req, limit, `--${OPTIONS.maxRequestBodyBytes.flag}`),
  );
  if (text.trim() === "" && empty !== undefined) return empty;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InvalidRequestError(`the request body is not JSON: ${(e as Error).message}`);
  }
}

/** The REST routes, to mount on the master's server. */
export function restApi(deps: RestDeps): Hono {
  const app = new Hono();
  const followers = deps.system === undefined ? undefined : deps.followers ??
    new JobFollowers(deps.system, deps.maxCollectRecords ?? OPTIONS.maxCollectRecords.default);
  const errors = (...messages: string[]): ErrorResponse => ({ errors: messages });

  // The caller's errors are answered 4xx and not logged; an operating error is
  // logged as one line; anything else is a bug: 500, logged with its stack.
  app.onError((err, c) => {
    const status = errorStatus(err);
    const where = `${c.req.method} ${c.req.path}`;
    if (status === undefined) {
      LOG.error(where, { error: err });
      return c.json(errors("internal error: " + err.message), 500);
    }
    if (status >= 500) LOG.warn(`${where}: ${status} ${err.message}`);
    return c.json(errors(err.message), status);
  });
  app.notFound((c) => c.json(errors(`no route ${c.req.method} ${c.req.path}`), 404));

  // Every route: a declared body over its limit is refused before the route runs.
  const bodyLimit = deps.maxRequestBodyBytes ?? OPTIONS.maxRequestBodyBytes.default;
  app.use(async (c, next) => {
    const upload = c.req.method === "PUT" && c.req.path === BLOBS_PATH;
    const limit = upload ? deps.blobs.maxBlobBytes : bodyLimit;
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > limit) {
      const flag = upload ? OPTIONS.maxBlobBytes.flag : OPTIONS.maxRequestBodyBytes.flag;
      throw tooLarge(declared, limit, `--${flag}`);
    }
    await next();
  });

  // The web dashboard: its page and assets (nodes/master/dashboard).
  app.get("/", (c) => serveDashboard(c.req.path)!);
  app.get(`${DASHBOARD_PREFIX}/*`, (c) => serveDashboard(c.req.path) ?? c.notFound());

  app.get(`${REST_PREFIX}/overview`, async (c) => {
    const [rm, jobs] = await Promise.all([
      askResourceManager(deps.resourceManager, { type: "overview" }, REST_ASK_TIMEOUT_MS),
      askDispatcher(deps.dispatcher, { type: "listJobs" }, REST_ASK_TIMEOUT_MS),
    ]);
    const count = (state: string) => jobs.filter((j) => j.state === state).length;
    return c.json<OverviewResponse>({
      version: SPATE_VERSION,
      taskmanagers: rm.workers.length,
      slotsTotal: rm.slotsTotal,
      slotsAvailable: rm.slotsFree,
      jobsRunning: jobs.filter((j) => j.endTime < 0).length,
      jobsFinished: count("FINISHED"),
      jobsCanceled: count("CANCELED"),
      jobsFailed: count("FAILED"),
      ...(deps.ha === undefined ? {} : { ha: deps.ha() }),
    });
  });

  app.get(`${REST_PREFIX}/jobs`, async (c) => {
    const jobs = await askDispatcher(deps.dispatcher, { type: "listJobs" }, REST_ASK_TIMEOUT_MS);
    return c.json<JobListResponse>({ jobs: jobs.map((j) => ({ id: j.jobId, ...j })) });
  });

  const jobDetails = (jobId: string) =>
    askDispatcher(deps.dispatcher, { type: "jobDetails", jobId }, REST_ASK_TIMEOUT_MS);

  app.get(`${REST_PREFIX}/jobs/:id`, async (c) => {
    return c.json(await jobDetails(c.req.param("id")));
  });

  app.get(`${REST_PREFIX}/jobs/:id/checkpoints`, async (c) => {
    const d = await jobDetails(c.req.param("id"));
    return c.json<CheckpointHistoryResponse>({ history: d.checkpoints });
  });

  app.post(`${REST_PREFIX}/jobs`, async (c) => {
    const submission = validateSubmission(await jsonBody(c.req.raw, bodyLimit));
    if (
      (await deps.blobs.get(
        submission.job.module.kind === "blob" ? submission.job.module.key : "",
      )) === undefined
    ) {
      throw new InvalidSubmissionError(
        "job.module.key names no uploaded blob: PUT the bundle to /api/v1/blobs first",
      );
    }
    // Followed: its events and collected records are served by the SDK routes.
    const jobId = followers !== undefined
      ? await followers.submit(deps.dispatcher, submission)
      : (await askDispatcher(
        deps.dispatcher,
        { type: "submitJob", submission },
        REST_ASK_TIMEOUT_MS,
      )).jobId;
    return c.json({ jobId }, 202);
  });

  app.patch(`${REST_PREFIX}/jobs/:id`, async (c) => {
    const mode = c.req.query("mode") ?? "cancel";
    if (mode !== "cancel") {
      return c.json(errors(`unknown mode '${mode}': only 'cancel' is supported`), 400);
    }
    const jobId = c.req.param("id");
    return c.json(
      await askDispatcher(deps.dispatcher, { type: "cancelJob", jobId }, REST_ASK_TIMEOUT_MS),
      202,
    );
  });

  mountJobRoutes(app, deps, (req, empty) => jsonBody(req, bodyLimit, empty));
  mountIngestProxy(
    app,
    deps,
    (req) => readLimited(req, bodyLimit, `--${OPTIONS.maxRequestBodyBytes.flag}`),
  );
  if (deps.system !== undefined && followers !== undefined) {
    const system = deps.system;
    mountSdkRoutes(
      app,
      { ...deps, system, followers },
      (req, empty) => jsonBody(req, bodyLimit, empty),
    );
  }

  app.get(`${REST_PREFIX}/openapi.json`, (c) => c.json(OPENAPI));

  // Prometheus scrapes here (text exposition format); the registry loads at the first scrape.
  const metrics = lazyMetrics(async () =>
    (await import("../master_metrics.ts")).masterMetrics(deps).handle
  );
  app.get(METRICS_PATH, () => metrics());

  app.get(`${REST_PREFIX}/taskmanagers`, async (c) => {
    const rm = await askResourceManager(
      deps.resourceManager,
      { type: "overview" },
      REST_ASK_TIMEOUT_MS,
    );
    return c.json<TaskManagersResponse>({ taskmanagers: rm.workers });
  });

  app.put(BLOBS_PATH, async (c) => {
    const key = await deps.blobs.put(
      await readLimited(c.req.raw, deps.blobs.maxBlobBytes, `--${OPTIONS.maxBlobBytes.flag}`),
    );
    return c.json<BlobUploadResponse>({ key }, 201);
  });

  app.get(`${BLOBS_PATH}/:key`, async (c) => {
    const bytes = await deps.blobs.get(c.req.param("key"));
    if (bytes === undefined) return c.json(errors(`no blob ${c.req.param("key")}`), 404);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
    });
  });

  return app;
}
