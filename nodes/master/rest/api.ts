/**
 * The master's REST API (JSON, Hono), after Flink's: overview, jobs, job
 * details, task managers, job submission and cancellation, plus the blob
 * store that job bundles are uploaded to and workers fetch from.
 * @module
 */

import { Hono } from "hono";
import { type ActorRef, AskTimeoutError } from "../../rpc/actor.ts";
import type { BlobStore } from "../blob_store.ts";
import { SAVEPOINT_ASK_TIMEOUT_MS, UnknownJobError } from "../dispatcher.ts";
import type { DispatcherMessage, ResourceManagerMessage } from "../messages.ts";
import type { WorkerInfo } from "../resource_manager.ts";
import { InvalidSubmissionError, validateSubmission } from "./validate_submission.ts";

/** Largest JSON request body. */
export const MAX_JSON_BODY_BYTES = 16 * 1024 * 1024;
/** How long a REST call waits for the actors. */
const REST_ASK_TIMEOUT_MS = 10_000;

export interface RestDeps {
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
  readonly blobs: BlobStore;
}

interface JobSummary {
  jobId: string;
  name: string;
  state: string;
  startTime: number;
  endTime: number;
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
  const ask = <T>(ref: ActorRef, msg: unknown) => ref.ask<T>(msg as never, REST_ASK_TIMEOUT_MS);

  app.onError((err, c) => {
    if (err instanceof UnknownJobError || err.name === "UnknownJobError") {
      return c.json({ errors: [err.message] }, 404);
    }
    if (
      err instanceof InvalidSubmissionError || err instanceof SyntaxError ||
      err instanceof RangeError
    ) {
      return c.json({ errors: [err.message] }, 400);
    }
    if (err instanceof AskTimeoutError) return c.json({ errors: [err.message] }, 503);
    console.error(`[rest] ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json({ errors: ["internal error: " + err.message] }, 500);
  });
  app.notFound((c) => c.json({ errors: [`no route ${c.req.method} ${c.req.path}`] }, 404));

  app.get("/api/v1/overview", async (c) => {
    const [rm, jobs] = await Promise.all([
      ask<{ workers: WorkerInfo[]; slotsTotal: number; slotsFree: number }>(deps.resourceManager, {
        type: "overview",
      }),
      ask<JobSummary[]>(deps.dispatcher, { type: "listJobs" }),
    ]);
    const count = (state: string) => jobs.filter((j) => j.state === state).length;
    return c.json({
      taskmanagers: rm.workers.length,
      slotsTotal: rm.slotsTotal,
      slotsAvailable: rm.slotsFree,
      jobsRunning: jobs.filter((j) => j.endTime < 0).length,
      jobsFinished: count("FINISHED"),
      jobsCanceled: count("CANCELED"),
      jobsFailed: count("FAILED"),
    });
  });

  app.get("/api/v1/jobs", async (c) => {
    const jobs = await ask<JobSummary[]>(deps.dispatcher, { type: "listJobs" });
    return c.json({ jobs: jobs.map((j) => ({ id: j.jobId, ...j })) });
  });

  app.get("/api/v1/jobs/:id", async (c) => {
    return c.json(await ask(deps.dispatcher, { type: "jobDetails", jobId: c.req.param("id") }));
  });

  app.get("/api/v1/jobs/:id/checkpoints", async (c) => {
    const d = await ask<{ checkpoints: unknown[] }>(deps.dispatcher, {
      type: "jobDetails",
      jobId: c.req.param("id"),
    });
    return c.json({ history: d.checkpoints });
  });

  app.post("/api/v1/jobs", async (c) => {
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
    const { jobId } = await ask<{ jobId: string }>(deps.dispatcher, {
      type: "submitJob",
      submission,
    });
    return c.json({ jobId }, 202);
  });

  app.patch("/api/v1/jobs/:id", async (c) => {
    const mode = c.req.query("mode") ?? "cancel";
    if (mode !== "cancel") {
      return c.json({ errors: [`unknown mode '${mode}': only 'cancel' is supported`] }, 400);
    }
    return c.json(await ask(deps.dispatcher, { type: "cancelJob", jobId: c.req.param("id") }), 202);
  });

  // Takes a savepoint and answers when it is complete: { location }.
  app.post("/api/v1/jobs/:id/savepoints", async (c) => {
    let body: Record<string, unknown>;
    try {
      body = await c.req.json();
    } catch {
      body = {};
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) {
      return c.json({ errors: ["the body must be a JSON object"] }, 400);
    }
    const { targetDirectory, cancelJob } = body;
    if (
      targetDirectory !== undefined &&
      (typeof targetDirectory !== "string" || !targetDirectory.startsWith("/"))
    ) {
      return c.json({ errors: ["targetDirectory must be an absolute path"] }, 400);
    }
    if (cancelJob !== undefined && typeof cancelJob !== "boolean") {
      return c.json({ errors: ["cancelJob must be a boolean"] }, 400);
    }
    const result = await deps.dispatcher.ask({
      type: "triggerSavepoint",
      jobId: c.req.param("id"),
      targetDir: targetDirectory,
      cancel: cancelJob === true,
    } as never, SAVEPOINT_ASK_TIMEOUT_MS);
    return c.json(result as Record<string, unknown>);
  });

  app.get("/api/v1/taskmanagers", async (c) => {
    const rm = await ask<{ workers: WorkerInfo[] }>(deps.resourceManager, { type: "overview" });
    return c.json({ taskmanagers: rm.workers });
  });

  app.put("/api/v1/blobs", async (c) => {
    const key = await deps.blobs.put(await readLimited(c.req.raw, deps.blobs.maxBlobBytes));
    return c.json({ key }, 201);
  });

  app.get("/api/v1/blobs/:key", async (c) => {
    const bytes = await deps.blobs.get(c.req.param("key"));
    if (bytes === undefined) return c.json({ errors: [`no blob ${c.req.param("key")}`] }, 404);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/octet-stream",
    });
  });

  return app;
}
