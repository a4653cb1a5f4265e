/**
 * The REST routes a Flink user scripts against, beside the basic ones of
 * `api.ts`: a job's plan, exception history and vertex details, asynchronous
 * savepoints and stop with savepoint, a task manager's details and the
 * master's settings.
 * @module
 */

import type { Hono } from "hono";
import type { StopMode } from "../../../core/checkpoint/barrier_aligner.ts";
import { locationProblem } from "../../../core/fs/location.ts";
import type { TaskMetrics } from "../../../core/graph/job_result.ts";
import { SPATE_VERSION } from "../../../core/version.ts";
import { askDispatcher } from "../../protocol/dispatcher.ts";
import { InvalidRequestError, JobConflictError, NotFoundError } from "../../protocol/errors.ts";
import { askResourceManager } from "../../protocol/resource_manager.ts";
import {
  type ConfigResponse,
  type JobDetails,
  REST_PREFIX,
  type TaskManagerDetailsResponse,
  type TriggerResponse,
  type VertexInfoResponse,
  type WorkerInfo,
} from "../../protocol/rest.ts";
import { SAVEPOINT_ASK_TIMEOUT_MS } from "../dispatcher.ts";
import { masterSettings } from "./config_view.ts";
import { SavepointTriggers } from "./savepoint_triggers.ts";
import type { RestDeps } from "./api.ts";

/** How long a REST call waits for the actors. */
const ASK_TIMEOUT_MS = 10_000;

/** Reads a request's JSON body; the caller's error if it is malformed. */
export type JsonBody = (req: Request, empty?: unknown) => Promise<unknown>;

/** The body's fields, checked to be an object; a field of the wrong type is the caller's error. */
function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function checkTargetDirectory(dir: unknown): string | undefined {
  if (dir === undefined) return undefined;
  const problem = typeof dir !== "string"
    ? "targetDirectory must be a string"
    : locationProblem(dir, "targetDirectory");
  if (problem !== undefined) throw new InvalidRequestError(problem);
  return dir as string;
}

function checkBoolean(value: unknown, name: string): boolean {
  if (value !== undefined && typeof value !== "boolean") {
    throw new InvalidRequestError(`${name} must be a boolean`);
  }
  return value === true;
}

/** Refuses (409) a savepoint of a job whose tasks do not all run. */
function checkRunning(d: JobDetails): void {
  const running = d.state === "RUNNING" &&
    d.vertices.every((v) => v.subtasks.every((s) => s.state === "RUNNING"));
  if (!running) {
    throw new JobConflictError(
      d.state === "RUNNING"
        ? `job ${d.jid} is RUNNING but its tasks are not all running yet: try again once they run`
        : `job ${d.jid} is ${d.state}: only a running job takes a savepoint`,
    );
  }
}

/** Adds the routes to `app`. */
export function mountJobRoutes(app: Hono, deps: RestDeps, jsonBody: JsonBody): void {
  const triggers = new SavepointTriggers();
  const ask = deps.dispatcher;
  const jobDetails = (jobId: string) =>
    askDispatcher(ask, { type: "jobDetails", jobId }, ASK_TIMEOUT_MS);
  const workers = async (): Promise<WorkerInfo[]> =>
    (await askResourceManager(deps.resourceManager, { type: "overview" }, ASK_TIMEOUT_MS))
      .workers;

  app.get(`${REST_PREFIX}/jobs/:id/plan`, async (c) => {
    const jobId = c.req.param("id");
    return c.json(await askDispatcher(ask, { type: "jobPlan", jobId }, ASK_TIMEOUT_MS));
  });

  app.get(`${REST_PREFIX}/jobs/:id/exceptions`, async (c) => {
    const jobId = c.req.param("id");
    return c.json(await askDispatcher(ask, { type: "jobExceptions", jobId }, ASK_TIMEOUT_MS));
  });

  app.get(`${REST_PREFIX}/jobs/:id/vertices/:vid`, async (c) => {
    const [d, ws] = await Promise.all([jobDetails(c.req.param("id")), workers()]);
    const vid = c.req.param("vid");
    const v = d.vertices.find((v) => String(v.id) === vid);
    if (v === undefined) throw new NotFoundError(`job ${d.jid} has no vertex ${vid}`);
    const byId = new Map(ws.map((w) => [w.id, w]));
    return c.json<VertexInfoResponse>({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      subtasks: v.subtasks.map((s) => {
        const w = s.worker === undefined ? undefined : byId.get(s.worker);
        // The task's current watermark, where tasks report one.
        const m: TaskMetrics & { readonly watermarkMs?: number } = s.metrics;
        return {
          subtask: s.subtask,
          state: s.state,
          ...(s.worker === undefined ? {} : { worker: s.worker }),
          ...(w === undefined ? {} : { workerName: w.name, host: w.dataAddress }),
          recordsIn: m.recordsIn,
          recordsOut: m.recordsOut,
          bytesIn: m.bytesIn,
          bytesOut: m.bytesOut,
          backpressuredMs: m.backpressuredMs,
          backpressureRatio: d.duration > 0 ? Math.min(1, m.backpressuredMs / d.duration) : 0,
          ...(m.watermarkMs === undefined ? {} : { watermarkMs: m.watermarkMs }),
          ...(s.failure === undefined ? {} : { failure: s.failure }),
        };
      }),
    });
  });

  // Starts a savepoint (cancelJob: then cancels the job); poll the trigger for its outcome.
  app.post(`${REST_PREFIX}/jobs/:id/savepoints`, async (c) => {
    const body = objectBody(await jsonBody(c.req.raw, {}));
    const targetDir = checkTargetDirectory(body.targetDirectory);
    const cancel = checkBoolean(body.cancelJob, "cancelJob");
    const jobId = c.req.param("id");
    checkRunning(await jobDetails(jobId));
    const id = triggers.start(jobId, () =>
      askDispatcher(
        ask,
        { type: "triggerSavepoint", jobId, targetDir, cancel },
        SAVEPOINT_ASK_TIMEOUT_MS,
      ));
    return c.json<TriggerResponse>({ "request-id": id }, 202);
  });

  // Stop with savepoint: the sources end after it (drain: event time first ends); FINISHED.
  app.post(`${REST_PREFIX}/jobs/:id/stop`, async (c) => {
    const body = objectBody(await jsonBody(c.req.raw, {}));
    const targetDir = checkTargetDirectory(body.targetDirectory);
    const stop: StopMode = checkBoolean(body.drain, "drain") ? "drain" : "suspend";
    const jobId = c.req.param("id");
    checkRunning(await jobDetails(jobId));
    const id = triggers.start(jobId, () =>
      askDispatcher(
        ask,
        { type: "triggerSavepoint", jobId, targetDir, cancel: false, stop },
        SAVEPOINT_ASK_TIMEOUT_MS,
      ));
    return c.json<TriggerResponse>({ "request-id": id }, 202);
  });

  app.get(`${REST_PREFIX}/jobs/:id/savepoints/:triggerId`, async (c) => {
    const jobId = c.req.param("id"), triggerId = c.req.param("triggerId");
    const status = triggers.status(jobId, triggerId);
    if (status !== undefined) return c.json(status);
    await jobDetails(jobId); // an unknown job is answered as such
    throw new NotFoundError(`job ${jobId} has no savepoint trigger ${triggerId}`);
  });

  app.get(`${REST_PREFIX}/taskmanagers/:id`, async (c) => {
    const id = c.req.param("id");
    const worker = (await workers()).find((w) => w.id === id);
    if (worker === undefined) throw new NotFoundError(`no task manager ${id}`);
    const jobs = await askDispatcher(ask, { type: "listJobs" }, ASK_TIMEOUT_MS);
    const tasks: TaskManagerDetailsResponse["tasks"][number][] = [];
    for (const j of jobs.filter((j) => j.endTime < 0)) {
      const d = await jobDetails(j.jobId).catch((e: Error) => {
        if (e.name === "UnknownJobError") return undefined; // forgotten meanwhile
        throw e;
      });
      for (const v of d?.vertices ?? []) {
        for (const s of v.subtasks) {
          if (s.worker !== id) continue;
          tasks.push({
            jobId: j.jobId,
            vertex: v.name,
            subtask: s.subtask,
            slot: s.slot,
            state: s.state,
          });
        }
      }
    }
    return c.json<TaskManagerDetailsResponse>({ ...worker, tasks });
  });

  app.get(`${REST_PREFIX}/config`, (c) =>
    c.json<ConfigResponse>({
      version: SPATE_VERSION,
      settings: masterSettings(deps.settings ?? {}),
    }));
}
