/**
 * The master's REST API (JSON, Hono), after Flink's: overview, jobs, job
 * details, task managers, job submission and cancellation, plus the blob
 * store that job bundles are uploaded to and workers fetch from.
 * @module
 */

import { Hono } from "hono";
import { type ActorRef, AskTimeoutError } from "../../rpc/actor.ts";
import { askDispatcher, type DispatcherMessage } from "../../protocol/dispatcher.ts";
import {
  askResourceManager,
  type ResourceManagerMessage,
} from "../../protocol/resource_manager.ts";
import {
  BLOBS_PATH,
  type BlobUploadResponse,
  type CheckpointHistoryResponse,
  type ErrorResponse,
  type JobListResponse,
  type OverviewResponse,
  REST_PREFIX,
  type TaskManagersResponse,
} from "../../protocol/rest.ts";
import type { BlobStore } from "../blob_store.ts";
import { SAVEPOINT_ASK_TIMEOUT_MS, UnknownJobError } from "../dispatcher.ts";
import { InvalidSubmissionError, validateSubmission } from "./validate_submission.ts";
import { SPATE_VERSION } from "../../../core/version.ts";

/** Largest JSON request body. */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;
/** How long a REST call waits for the actors. */
const REST_ASK_TIMEOUT_MS = 10_000;

/** What the REST routes talk to. */
export interface RestDeps {
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
  readonly blobs: BlobStore;
}

async function readLimited(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) throw new RangeError(`request body of ${declared} bytes exceeds ${limit}`);
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > limit) {
    throw new RangeError(`request body of ${bytes.length} bytes exceeds ${limit}`);
  }
  return bytes;
}

/** The REST routes, to mount on the master's server. */
export function restApi(deps: RestDeps): Hono {
  const app = new Hono();
  const errors = (...messages: string[]): ErrorResponse => ({ errors: messages });

  app.onError((err, c) => {
    if (err instanceof UnknownJobError || err.name === "UnknownJobError") {
      return c.json(errors(err.message), 404);
    }
    if (
      err instanceof InvalidSubmissionError || err instanceof SyntaxError ||
      err instanceof RangeError
    ) {
      return c.json(errors(err.message), 400);
    }
    if (err instanceof AskTimeoutError) return c.json(errors(err.message), 503);
    console.error(`[rest] ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json(errors("internal error: " + err.message), 500);
  });
  app.notFound((c) => c.json(errors(`no route ${c.req.method} ${c.req.path}`), 404));

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
    const text = new TextDecoder().decode(await readLimited(c.req.raw, MAX_JSON_BODY_BYTES));
    const submission = validateSubmission(JSON.parse(text));
    if (
      (await deps.blobs.get(
        submission.job.module.kind === "blob" ? submission.job.module.key : "",
      )) === undefined
    ) {
      throw new InvalidSubmissionError(
        "job.module.key names no uploaded blob: PUT the bundle to /api/v1/blobs first",
      );
    }
    const { jobId } = await askDispatcher(
      deps.dispatcher,
      { type: "submitJob", submission },
      REST_ASK_TIMEOUT_MS,
    );
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

  // Takes a savepoint and answers when it is complete: { location }.
  app.post(`${REST_PREFIX}/jobs/:id/savepoints`, async (c) => {
    let body: Record<string, unknown>;
    try {
      body = await c.req.json();
    } catch {
      body = {};
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return c.json(errors("the body must be a JSON object"), 400);
    }
    const { targetDirectory, cancelJob } = body;
    if (
      targetDirectory !== undefined &&
      (typeof targetDirectory !== "string" || !targetDirectory.startsWith("/"))
    ) {
      return c.json(errors("targetDirectory must be an absolute path"), 400);
    }
    if (cancelJob !== undefined && typeof cancelJob !== "boolean") {
      return c.json(errors("cancelJob must be a boolean"), 400);
    }
    const result = await askDispatcher(deps.dispatcher, {
      type: "triggerSavepoint",
      jobId: c.req.param("id"),
      targetDir: targetDirectory,
      cancel: cancelJob === true,
    }, SAVEPOINT_ASK_TIMEOUT_MS);
    return c.json(result);
  });

  app.get(`${REST_PREFIX}/taskmanagers`, async (c) => {
    const rm = await askResourceManager(
      deps.resourceManager,
      { type: "overview" },
      REST_ASK_TIMEOUT_MS,
    );
    return c.json<TaskManagersResponse>({ taskmanagers: rm.workers });
  });

  app.put(BLOBS_PATH, async (c) => {
    const key = await deps.blobs.put(await readLimited(c.req.raw, deps.blobs.maxBlobBytes));
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
