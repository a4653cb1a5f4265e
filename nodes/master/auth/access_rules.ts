/**
 * Who may do what on a master with tokens: the role each REST request needs
 * (clients reach a cluster only through the REST API; RPC is for its nodes).
 * @module
 */

import type { Role } from "../../rpc/auth/auth_tokens.ts";
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
    (method === "POST" && path === `${REST_PREFIX}/jobs/bundle`) ||
    (method === "PUT" && path === BLOBS_PATH) ||
    (method === "PATCH" && JOB.test(path)) ||
    (method === "POST" && SAVEPOINTS.test(path)) ||
    (method === "POST" && path.startsWith(`${INGEST_PREFIX}/`));
  return operator ? "operator" : "admin";
}
