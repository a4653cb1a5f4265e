/**
 * Who may do what on a master with tokens: the role each REST request needs,
 * and what a client's RPC connection may send (client requests to the
 * Dispatcher, by role; never messages of the cluster's own nodes).
 * @module
 */

import type { Role } from "../../rpc/auth/auth_tokens.ts";
import type { InboundPolicy } from "../../rpc/remote_connection.ts";
import { BLOBS_PATH, REST_PREFIX } from "../../protocol/rest.ts";
import { INGEST_PREFIX } from "../../../core/connectors/http_ingest/ingest_protocol.ts";

const JOB = new RegExp(`^${REST_PREFIX}/jobs/[^/]+$`);
const SAVEPOINTS = new RegExp(`^${REST_PREFIX}/jobs/[^/]+/(savepoints|stop)$`);

/**
 * The weakest role that may make a REST request: reads need viewer; submit,
 * upload, cancel, savepoint and stop need operator, and so does feeding
 * records to a running job (`POST /ingest/NAME`: it changes the job's output,
 * which a viewer may not); anything else admin.
 *
 * @example
 * ```ts
 * import { restRole } from "./access_rules.ts";
 * console.assert(restRole("GET", "/api/v1/jobs") === "viewer");
 * console.assert(restRole("PATCH", "/api/v1/jobs/abc") === "operator");
 * console.assert(restRole("POST", "/ingest/orders") === "operator");
 * ```
 */
export function restRole(method: string, path: string): Role {
  if (method === "GET" || method === "HEAD") return "viewer";
  const operator = (method === "POST" && path === `${REST_PREFIX}/jobs`) ||
    (method === "PUT" && path === BLOBS_PATH) ||
    (method === "PATCH" && JOB.test(path)) ||
    (method === "POST" && SAVEPOINTS.test(path)) ||
    (method === "POST" && path.startsWith(`${INGEST_PREFIX}/`));
  return operator ? "operator" : "admin";
}

/** The path of the Dispatcher, the only actor a client connection reaches. */
const DISPATCHER_PATH = "/user/dispatcher";

/** Dispatcher messages a client of each role may send over RPC. */
const CLIENT_MESSAGES: Record<Role, readonly string[]> = {
  viewer: ["listJobs", "jobDetails", "jobPlan", "jobExceptions"],
  operator: [
    "listJobs",
    "jobDetails",
    "jobPlan",
    "jobExceptions",
    "submitJob",
    "attachClient",
    "cancelJob",
    "triggerSavepoint",
  ],
  admin: [
    "listJobs",
    "jobDetails",
    "jobPlan",
    "jobExceptions",
    "submitJob",
    "attachClient",
    "cancelJob",
    "triggerSavepoint",
  ],
};

/**
 * What a client connection with `role` may send: its requests to the
 * Dispatcher, never the messages of nodes (registration, slot offers,
 * task updates) nor anything to another actor, and refs only to its own
 * actors (a job's progress goes to the client, not to an actor of the master).
 *
 * @example
 * ```ts
 * import { clientPolicy } from "./access_rules.ts";
 * const policy = clientPolicy("viewer");
 * console.assert(policy("/user/dispatcher", { type: "listJobs" }, "client-1") === undefined);
 * console.assert(
 *   policy("/user/resourcemanager", { type: "registerWorker" }, "client-1") !== undefined,
 * );
 * ```
 */
export function clientPolicy(role: Role): InboundPolicy {
  const allowed = new Set(CLIENT_MESSAGES[role]);
  return (to, message, peerId) => {
    if (to !== DISPATCHER_PATH) return `a client connection reaches only ${DISPATCHER_PATH}`;
    const type = (message as { type?: unknown } | null)?.type;
    if (typeof type !== "string" || !allowed.has(type)) {
      return `a client with role ${role} may not send '${String(type)}'`;
    }
    if (foreignRef(message, peerId, 0)) {
      return "a client may pass refs only to its own actors";
    }
    return undefined;
  };
}

/** Most nesting searched for refs; deeper messages are refused (no client message is). */
const MAX_REF_DEPTH = 16;

/** Whether `value` holds a wire ref (`{ $ref, $sys }`) to an actor outside system `peerId`. */
function foreignRef(value: unknown, peerId: string, depth: number): boolean {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return false;
  if (depth > MAX_REF_DEPTH) return true;
  const obj = value as Record<string, unknown>;
  if ("$ref" in obj && obj.$sys !== peerId) return true;
  return Object.values(obj).some((v) => foreignRef(v, peerId, depth + 1));
}
