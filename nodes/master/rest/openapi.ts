/**
 * The OpenAPI 3 description of the master's REST API (and of the dashboard's
 * files it serves), written once as data beside the routes (`api.ts`,
 * `job_routes.ts`) and served at
 * `GET /api/v1/openapi.json`; `openapi_test.ts` checks that it names every
 * route the app serves, and no other.
 * @module
 */

import { SPATE_VERSION } from "../../../core/version.ts";
import { BLOBS_PATH, REST_PREFIX } from "../../protocol/rest.ts";
import { DASHBOARD_PREFIX } from "../dashboard/dashboard.ts";
import { INGEST_PREFIX } from "../../../core/connectors/http_ingest/ingest_protocol.ts";

/** A JSON Schema (the subset used here). */
type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: "object",
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const str: Schema = { type: "string" };
const int: Schema = { type: "integer" };
const bool: Schema = { type: "boolean" };
const arr = (items: Schema): Schema => ({ type: "array", items });
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const anyObject: Schema = { type: "object", additionalProperties: true };

const json = (schema: Schema) => ({ content: { "application/json": { schema } } });
const errors = {
  "400": { description: "a malformed request", ...json(ref("Errors")) },
  "404": { description: "no such job (or vertex, trigger, task manager)", ...json(ref("Errors")) },
  "409": { description: "the job's state does not allow it", ...json(ref("Errors")) },
};
const idParam = (name: string, about: string) => ({
  name,
  in: "path",
  required: true,
  schema: str,
  description: about,
});
const jobId = idParam("id", "the job id");

/** One operation: its summary, path parameters, request body and answers. */
function op(
  summary: string,
  ok: [status: string, schema: Schema],
  more: { params?: unknown[]; body?: Schema; errors?: (keyof typeof errors)[] } = {},
) {
  return {
    summary,
    ...(more.params ? { parameters: more.params } : {}),
    ...(more.body ? { requestBody: { required: false, ...json(more.body) } } : {}),
    responses: {
      [ok[0]]: { description: summary, ...json(ok[1]) },
      ...Object.fromEntries((more.errors ?? []).map((e) => [e, errors[e]])),
    },
  };
}

const trigger = obj({ "request-id": str }, ["request-id"]);

const COLLECT_SUMMARY = "the records a job the master follows collected so far";
/** `GET /jobs/{id}/collect`'s answer, in JSON or CBOR. */
const collectAnswer = obj({
  jobId: str,
  state: str,
  ended: bool,
  records: anyObject,
  truncated: bool,
  result: anyObject,
  failure: anyObject,
}, ["jobId", "state", "ended", "records", "truncated"]);

/** The OpenAPI document (paths in OpenAPI's `{param}` form). */
export const OPENAPI = {
  openapi: "3.0.3",
  info: {
    title: "spate master REST API",
    version: SPATE_VERSION,
    description: "JSON over HTTP/1.1 or h2c; errors are answered { errors: [message] }.",
  },
  paths: {
    "/": {
      get: {
        summary: "the web dashboard's page",
        responses: { "200": { description: "HTML", content: { "text/html": {} } } },
      },
    },
    [`${DASHBOARD_PREFIX}/{asset}`]: {
      get: {
        summary: "a file of the web dashboard (page, script, style, vendored library)",
        parameters: [idParam("asset", "the file's path under the dashboard")],
        responses: {
          "200": { description: "the file (HTML, JavaScript or CSS)" },
          "404": errors["404"],
        },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus metrics of the master (workers serve theirs on their data port)",
        responses: {
          "200": {
            description: "the Prometheus text exposition format",
            content: { "text/plain": {} },
          },
        },
      },
    },
    [`${REST_PREFIX}/overview`]: {
      get: op("cluster overview: workers, slots, jobs by state, version", ["200", anyObject]),
    },
    [`${REST_PREFIX}/openapi.json`]: {
      get: op("this document", ["200", anyObject]),
    },
    [`${REST_PREFIX}/config`]: {
      get: op("the master's effective settings (secrets hidden)", [
        "200",
        obj({
          version: str,
          settings: arr(obj({ key: str, flag: str, value: {}, source: str }, ["key", "source"])),
        }),
      ]),
    },
    [`${REST_PREFIX}/jobs`]: {
      get: op("the jobs, running and ended", ["200", obj({ jobs: arr(anyObject) })]),
      post: op("submit a job (a JobSubmission naming an uploaded bundle)", [
        "202",
        obj({ jobId: str }),
      ], { body: anyObject, errors: ["400"] }),
    },
    [`${REST_PREFIX}/jobs/{id}`]: {
      get: op("a job's details: state, vertices with subtasks and metrics, edges", [
        "200",
        anyObject,
      ], { params: [jobId], errors: ["404"] }),
      patch: op("cancel a job (?mode=cancel)", ["202", obj({ jobId: str, state: str })], {
        params: [jobId, {
          name: "mode",
          in: "query",
          schema: { type: "string", enum: ["cancel"] },
        }],
        errors: ["400", "404", "409"],
      }),
    },
    [`${REST_PREFIX}/jobs/{id}/plan`]: {
      get: op("the job graph: vertices with operators, edges with partitioners", [
        "200",
        obj({
          jid: str,
          name: str,
          vertices: arr(obj({
            id: int,
            name: str,
            parallelism: int,
            slotSharingGroup: str,
            operators: arr(obj({ id: int, name: str, uid: str })),
          })),
          edges: arr(obj({ source: int, target: int, partitioner: str, inputIndex: int })),
        }),
      ], { params: [jobId], errors: ["404"] }),
    },
    [`${REST_PREFIX}/jobs/{id}/exceptions`]: {
      get: op("the exception history: root cause and one entry per failed attempt", [
        "200",
        obj({ rootException: ref("Exception"), history: arr(ref("Exception")), truncated: bool }),
      ], { params: [jobId], errors: ["404"] }),
    },
    [`${REST_PREFIX}/jobs/{id}/checkpoints`]: {
      get: op("the checkpoint history", ["200", obj({ history: arr(anyObject) })], {
        params: [jobId],
        errors: ["404"],
      }),
    },
    [`${REST_PREFIX}/jobs/{id}/vertices/{vid}`]: {
      get: op("a vertex's subtasks: state, worker, records and bytes, backpressure", [
        "200",
        obj({ id: int, name: str, parallelism: int, subtasks: arr(anyObject) }),
      ], {
        params: [jobId, idParam("vid", "the vertex id (as in the plan)")],
        errors: ["404"],
      }),
    },
    [`${REST_PREFIX}/jobs/{id}/savepoints`]: {
      post: op("trigger a savepoint (cancelJob: then cancel); poll the request id", [
        "202",
        trigger,
      ], {
        params: [jobId],
        body: obj({ targetDirectory: str, cancelJob: bool }),
        errors: ["400", "404", "409"],
      }),
    },
    [`${REST_PREFIX}/jobs/{id}/savepoints/{triggerId}`]: {
      get: op("the status of a savepoint or stop request", [
        "200",
        obj({
          status: { type: "string", enum: ["IN_PROGRESS", "COMPLETED"] },
          location: str,
          failure: str,
        }, ["status"]),
      ], { params: [jobId, idParam("triggerId", "the request id")], errors: ["404"] }),
    },
    [`${REST_PREFIX}/jobs/{id}/stop`]: {
      post: op("stop with a savepoint (drain: fire every event-time window first); FINISHED", [
        "202",
        trigger,
      ], {
        params: [jobId],
        body: obj({ targetDirectory: str, drain: bool }),
        errors: ["400", "404", "409"],
      }),
    },
    // The SDK's routes (sdk_routes.ts, types in nodes/protocol/sdk.ts).
    [`${REST_PREFIX}/jobs/bundle`]: {
      post: op("plan an uploaded job bundle on the master and submit it", [
        "202",
        obj({ jobId: str, jobName: str, fingerprint: str }, ["jobId", "jobName", "fingerprint"]),
      ], {
        body: obj({
          bundleKey: str,
          args: arr(str),
          parallelism: int,
          permissions: anyObject,
          savepoint: str,
          allowNonRestoredState: bool,
          restartStrategy: str,
          slotTimeoutMs: int,
        }, ["bundleKey"]),
        errors: ["400"],
      }),
    },
    [`${REST_PREFIX}/jobs/{id}/events`]: {
      get: {
        summary: "the job's events as server-sent events (event name: the type), to its end",
        parameters: [jobId, {
          name: "records",
          in: "query",
          required: false,
          schema: { type: "string", enum: ["true", "cbor", "false"] },
          description: "the collected record batches too, as collect events: " +
            "true: { collectId, records } in JSON; cbor: { collectId, cbor } with base64 CBOR " +
            "that keeps bigint, Map, Set, Date, typed arrays, undefined and -0",
        }, {
          name: "Last-Event-ID",
          in: "header",
          required: false,
          schema: str,
          description: "the id of the last event seen: the stream goes on after it",
        }],
        responses: {
          "200": {
            description:
              "jobStatus, progress, checkpointCompleted, then jobFinished or jobFailed " +
              "(ids <follower epoch>-<number>)",
            content: { "text/event-stream": { schema: str } },
          },
          "404": errors["404"],
        },
      },
    },
    [`${REST_PREFIX}/jobs/{id}/collect`]: {
      get: {
        summary: COLLECT_SUMMARY,
        parameters: [jobId, {
          name: "format",
          in: "query",
          required: false,
          schema: { type: "string", enum: ["json", "cbor"] },
          description: "cbor (or Accept: application/cbor): the same object in CBOR, " +
            "which keeps the records' types (bigint, Map, Set, Date, typed arrays, -0)",
        }],
        responses: {
          "200": {
            description: COLLECT_SUMMARY,
            content: {
              "application/json": { schema: collectAnswer },
              "application/cbor": { schema: collectAnswer },
            },
          },
          "400": errors["400"],
          "404": errors["404"],
        },
      },
    },
    [`${REST_PREFIX}/taskmanagers`]: {
      get: op("the workers", ["200", obj({ taskmanagers: arr(ref("Worker")) })]),
    },
    [`${REST_PREFIX}/taskmanagers/{id}`]: {
      get: op("a worker and the tasks in its slots", ["200", {
        allOf: [ref("Worker"), obj({ tasks: arr(anyObject) })],
      }], { params: [idParam("id", "the worker id")], errors: ["404"] }),
    },
    [BLOBS_PATH]: {
      put: op("upload a job bundle (application/octet-stream)", ["201", obj({ key: str })], {
        errors: ["400"],
      }),
    },
    [`${INGEST_PREFIX}/{name}`]: {
      post: {
        summary: "records for the job's HttpIngestSource NAME (NDJSON or a JSON array), " +
          "forwarded to a worker running one of its readers; answered once the checkpoint " +
          "covering them completed (?ack=received: on receipt)",
        parameters: [
          idParam("name", "the ingest source's name"),
          {
            name: "ack",
            in: "query",
            required: false,
            schema: { type: "string", enum: ["checkpoint", "received"] },
          },
        ],
        requestBody: {
          required: true,
          content: { "application/x-ndjson": {}, "application/json": { schema: arr(anyObject) } },
        },
        responses: {
          "200": { description: "the records are durable", ...json(obj({ records: int })) },
          "400": { description: "a malformed body (naming the line)", ...json(ref("Errors")) },
          "404": { description: "no worker runs an ingest source NAME", ...json(ref("Errors")) },
          "413": { description: "a body over the source's limit", ...json(ref("Errors")) },
          "429": { description: "the reader's queue is full: Retry-After", ...json(ref("Errors")) },
          "503": { description: "no reader now (restarting): send again", ...json(ref("Errors")) },
          "504": { description: "no checkpoint in time: send again", ...json(ref("Errors")) },
        },
      },
    },
    [`${BLOBS_PATH}/{key}`]: {
      get: {
        summary: "a job bundle",
        parameters: [idParam("key", "the blob key")],
        responses: {
          "200": { description: "the bundle", content: { "application/octet-stream": {} } },
          "404": errors["404"],
        },
      },
    },
  },
  components: {
    schemas: {
      Errors: obj({ errors: arr(str) }, ["errors"]),
      Worker: obj({
        id: str,
        name: str,
        dataAddress: str,
        slotsTotal: int,
        slotsFree: int,
        managedMemoryBytes: int,
        lastHeartbeatMs: int,
      }),
      Exception: obj({
        timestamp: int,
        attempt: int,
        operator: str,
        vertex: str,
        subtask: int,
        worker: str,
        exception: str,
        stacktrace: str,
      }, ["timestamp", "attempt", "operator", "exception"]),
    },
  },
} as const;
