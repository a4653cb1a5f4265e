/**
 * The REST routes of the client SDK: submit a job bundle that the master
 * plans, follow a job as server-sent events, read its collected records
 * (types in nodes/protocol/sdk.ts).
 * @module
 */

import type { Hono } from "hono";
import { resolveLocation } from "../../../core/fs/location.ts";
import {
  checkPermissions,
  formatPermissions,
  type JobPermissions,
  permissionExcess,
} from "../../../core/config/job_permissions.ts";
import { OPTIONS } from "../../../core/config/options.ts";
import { askDispatcher } from "../../protocol/dispatcher.ts";
import type { ClientMessage } from "../../protocol/client.ts";
import { InvalidRequestError, NotFoundError } from "../../protocol/errors.ts";
import { isTerminalJobState } from "../../protocol/job_status.ts";
import { planSubmission } from "../../protocol/plan_submission.ts";
import type {
  BundleSubmission,
  BundleSubmitResponse,
  CollectCborEvent,
  CollectResponse,
  JobEvent,
} from "../../protocol/sdk.ts";
import { CBOR_MEDIA_TYPE, encodeCollected, toBase64 } from "../../protocol/collected_cbor.ts";
import { REST_PREFIX } from "../../protocol/rest.ts";
import type { ActorSystem } from "../../rpc/actor_system.ts";
import type { BlobStore } from "../blob_store.ts";
import type { ActorRef } from "../../rpc/actor.ts";
import type { DispatcherMessage } from "../../protocol/dispatcher.ts";
import { endsJob, type FollowedEntry } from "../job_follower.ts";
import { JobFollowers } from "../job_followers.ts";
import { planBundle } from "../plan_bundle.ts";
import { validateSubmission } from "./validate_submission.ts";
import type { JsonBody } from "./job_routes.ts";

/** How often the events of a job without a follower are polled. */
const POLL_MS = 250;
const ASK_TIMEOUT_MS = 10_000;
/** How often an event stream sends a comment while its job is quiet. */
export const SSE_KEEP_ALIVE_MS = 5_000;

/** What the SDK routes need. */
export interface SdkRouteDeps {
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly blobs: BlobStore;
  /** Where the followers of SDK-submitted jobs live. */
  readonly system: ActorSystem;
  /** The followers of the master's jobs (default: new ones in `system`). */
  readonly followers?: JobFollowers;
  readonly maxCollectRecords?: number;
  readonly planTimeoutMs?: number;
  /** The cap of a job's permissions: a bundle asking for more is refused before it is planned. */
  readonly jobPermissionsMax?: JobPermissions;
}

type FieldType = "string" | "boolean" | "object" | "int" | "string[]";

function field<T>(body: Record<string, unknown>, name: string, type: FieldType): T | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  const ok = type === "string[]"
    ? Array.isArray(v) && v.every((x) => typeof x === "string")
    : type === "int"
    ? Number.isInteger(v) && (v as number) > 0
    : type === "object"
    ? v !== null && typeof v === "object" && !Array.isArray(v)
    : type === "boolean"
    ? typeof v === "boolean"
    : typeof v === "string";
  if (!ok) {
    throw new InvalidRequestError(
      `${name} must be ${type === "int" ? "a positive integer" : `a ${type}`}`,
    );
  }
  return v as T;
}

/** The job's permissions, checked; a malformed set is the caller's error. */
function permissionsOf(raw: unknown): JobPermissions | undefined {
  if (raw === undefined) return undefined;
  try {
    return checkPermissions(raw, "permissions");
  } catch (e) {
    throw new InvalidRequestError((e as Error).message);
  }
}

/** The body checked to be a BundleSubmission. */
function bundleSubmission(body: unknown): BundleSubmission {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("the body must be a JSON object");
  }
  const b = body as Record<string, unknown>;
  const bundleKey = field<string>(b, "bundleKey", "string");
  if (bundleKey === undefined) throw new InvalidRequestError("bundleKey is missing");
  return {
    bundleKey,
    args: field<string[]>(b, "args", "string[]"),
    parallelism: field<number>(b, "parallelism", "int"),
    permissions: permissionsOf(b.permissions),
    savepoint: field<string>(b, "savepoint", "string"),
    allowNonRestoredState: field<boolean>(b, "allowNonRestoredState", "boolean"),
    restartStrategy: field<string>(b, "restartStrategy", "string"),
    slotTimeoutMs: field<number>(b, "slotTimeoutMs", "int"),
  };
}

/**
 * Collected records as JSON: what JSON has no form for gets the nearest one
 * (a bigint its digits, a Map its entries, a Set or typed array its items),
 * so one record cannot break a job's stream.
 */
function jsonValue(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v.toString();
  if (v instanceof Map) return [...v];
  if (v instanceof Set || ArrayBuffer.isView(v)) return Array.from(v as Iterable<unknown>);
  return v;
}

/** One server-sent event; `id` is the follower's epoch and the entry's number. */
const sse = (e: JobEvent | ClientMessage | CollectCborEvent, id?: string) =>
  `event: ${e.type}\n${id === undefined ? "" : `id: ${id}\n`}data: ${
    JSON.stringify(e, jsonValue)
  }\n\n`;

/** How an event stream carries collected records: not at all, as JSON or as base64 CBOR. */
type RecordsForm = "none" | "json" | "cbor";

function recordsForm(query: string | undefined): RecordsForm {
  if (query === undefined || query === "false") return "none";
  if (query === "true") return "json";
  if (query === "cbor") return "cbor";
  throw new InvalidRequestError(`records must be true, cbor or false, not '${query}'`);
}

/** A message as its stream sends it: a collect batch in CBOR when the stream asked so. */
function eventOf(m: ClientMessage, form: RecordsForm): ClientMessage | CollectCborEvent {
  if (m.type !== "collect" || form !== "cbor") return m;
  return { type: "collect", collectId: m.collectId, cbor: toBase64(encodeCollected(m.records)) };
}

/** Whether a collect answer is asked for in CBOR (`?format=cbor` or `Accept: application/cbor`). */
function wantsCbor(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined && format !== "json" && format !== "cbor") {
    throw new InvalidRequestError(`format must be json or cbor, not '${format}'`);
  }
  if (format !== undefined) return format === "cbor";
  return (accept ?? "").split(",").some((t) => t.split(";")[0].trim() === CBOR_MEDIA_TYPE);
}

/** The entries a reconnecting client has seen: its Last-Event-ID's, if that was this follower's. */
function seenOf(lastEventId: string | undefined, epoch: string): number {
  const [e, n] = (lastEventId ?? "").split("-");
  return e === epoch && /^\d+$/.test(n ?? "") ? Number(n) : 0;
}

/** Adds the routes to `app`. */
export function mountSdkRoutes(app: Hono, deps: SdkRouteDeps, jsonBody: JsonBody): void {
  const followers = deps.followers ??
    new JobFollowers(deps.system, deps.maxCollectRecords ?? OPTIONS.maxCollectRecords.default);

  app.post(`${REST_PREFIX}/jobs/bundle`, async (c) => {
    const req = bundleSubmission(await jsonBody(c.req.raw));
    const bytes = await deps.blobs.get(req.bundleKey);
    if (bytes === undefined) {
      throw new InvalidRequestError(
        "bundleKey names no uploaded blob: PUT the bundle to /api/v1/blobs first",
      );
    }
    const max = deps.jobPermissionsMax;
    const excess = max === undefined ? undefined : permissionExcess(req.permissions ?? {}, max);
    if (excess !== undefined) {
      throw new InvalidRequestError(
        `the job asks for ${excess.kind} access to ${excess.value}, more than this cluster ` +
          `allows (--job-permissions-max ${formatPermissions(max!)})`,
      );
    }
    const plan = await planBundle({
      bytes,
      args: req.args ?? [],
      defaults: req.parallelism === undefined ? {} : { parallelism: req.parallelism },
      permissions: req.permissions,
      timeoutMs: deps.planTimeoutMs ?? OPTIONS.planTimeoutMs.default,
    });
    const submission = validateSubmission(
      planSubmission({ ...plan, streamGraph: { settings: plan.settings } }, {
        kind: "blob",
        key: req.bundleKey,
      }, {
        restartStrategy: req.restartStrategy,
        slotTimeoutMs: req.slotTimeoutMs,
        restoreFrom: req.savepoint === undefined ? undefined : {
          path: resolveLocation(req.savepoint),
          allowNonRestoredState: req.allowNonRestoredState === true,
        },
      }),
    );
    const jobId = await followers.submit(deps.dispatcher, submission);
    return c.json<BundleSubmitResponse>(
      { jobId, jobName: plan.jobName, fingerprint: plan.fingerprint },
      202,
    );
  });

  app.get(`${REST_PREFIX}/jobs/:id/events`, async (c) => {
    const jobId = c.req.param("id");
    const follower = followers.get(jobId);
    // `?records=true` (JSON) or `cbor`: the collected record batches too, as `collect` events.
    const records = recordsForm(c.req.query("records"));
    const details = () =>
      askDispatcher(deps.dispatcher, { type: "jobDetails", jobId }, ASK_TIMEOUT_MS);
    if (follower === undefined) await details(); // an unknown job is answered 404
    const encoder = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const send = (e: JobEvent) => controller.enqueue(encoder.encode(sse(e)));
        // A comment now and then: the client tells a silent master from a quiet job.
        const keepAlive = setInterval(
          () => controller.enqueue(encoder.encode(": keep-alive\n\n")),
          SSE_KEEP_ALIVE_MS,
        );
        const close = () => {
          clearInterval(keepAlive);
          controller.close();
        };
        if (follower !== undefined) {
          // The replay runs inside subscribe(): the end may come before it returns.
          let ended = false;
          const unsubscribe = follower.subscribe(
            (e: FollowedEntry) => {
              if (ended || (e.message.type === "collect" && records === "none")) return;
              const event = eventOf(e.message, records);
              controller.enqueue(encoder.encode(sse(event, `${follower.epoch}-${e.seq}`)));
              if (!endsJob(e.message)) return;
              ended = true;
              queueMicrotask(() => {
                stop();
                controller.close();
              });
            },
            seenOf(c.req.header("last-event-id"), follower.epoch),
            () => {
              // This master stopped leading: the stream ends before the job, and the client
              // looks for the leader (a stream kept open with keep-alives would hold it here).
              if (ended) return;
              ended = true;
              stop();
              controller.close();
            },
          );
          stop = () => {
            unsubscribe();
            clearInterval(keepAlive);
          };
          return;
        }
        // A job submitted another way: its state changes, polled.
        let last = "";
        const timer = setInterval(async () => {
          try {
            const d = await details();
            const key = `${d.state}/${d.attempt}`;
            if (key === last) return;
            last = key;
            send({ type: "jobStatus", jobId, jobName: d.name, state: d.state, attempt: d.attempt });
            if (isTerminalJobState(d.state)) {
              clearInterval(timer);
              close();
            }
          } catch (e) {
            clearInterval(timer);
            clearInterval(keepAlive);
            controller.error(e);
          }
        }, POLL_MS);
        stop = () => {
          clearInterval(timer);
          clearInterval(keepAlive);
        };
      },
      cancel: () => stop(),
    });
    return c.body(body, 200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
    });
  });

  app.get(`${REST_PREFIX}/jobs/:id/collect`, (c) => {
    const jobId = c.req.param("id");
    const f = followers.get(jobId);
    if (f === undefined) {
      throw new NotFoundError(
        `job ${jobId} was not submitted through this master's REST API (${REST_PREFIX}/jobs or ` +
          `${REST_PREFIX}/jobs/bundle) nor resumed by it: no collected records`,
      );
    }
    const body: CollectResponse = {
      jobId,
      state: f.state,
      ended: f.ended,
      records: f.records(),
      truncated: f.truncated,
      ...(f.result === undefined ? {} : { result: f.result }),
      ...(f.failure === undefined ? {} : { failure: f.failure }),
    };
    if (wantsCbor(c.req.query("format"), c.req.header("accept"))) {
      return c.body(encodeCollected(body), 200, { "content-type": CBOR_MEDIA_TYPE });
    }
    return c.body(JSON.stringify(body, jsonValue), 200, { "content-type": "application/json" });
  });
}
