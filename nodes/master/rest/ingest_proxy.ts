/**
 * `POST /ingest/NAME` on the master: forwarded to a worker that runs a
 * reader of ingest source NAME, and that worker's answer returned as is.
 *
 * A proxy, not a 307 redirect: the master checks the caller's token (role
 * operator) and workers do not know tokens (with a cluster secret a worker
 * takes ingest requests only from the master, which proves the secret);
 * workers' data ports need not be reachable from clients; and a redirected
 * POST needs a client that sends its body again (curl only with -L). The
 * cost: the records pass through the master. The master does not track
 * where readers run: it learns it from the answers. Requests go round robin
 * over the workers that served NAME before, then to the others; a worker
 * without a reader says so (INGEST_ABSENT_HEADER) and is asked no more.
 * When no worker has a reader: 503 (send again) for a name served before or
 * while a job is (re)starting, else 404.
 * @module
 */

import type { Hono } from "hono";
import {
  INGEST_ABSENT_HEADER,
  INGEST_PREFIX,
} from "../../../core/connectors/http_ingest/ingest_protocol.ts";
import { askResourceManager } from "../../protocol/resource_manager.ts";
import { askDispatcher } from "../../protocol/dispatcher.ts";
import { provePeer } from "../../rpc/auth/peer_proof.ts";
import type { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { nodeFetch } from "../../rpc/tls/client_tls.ts";
import type { RestDeps } from "./api.ts";

/** How long the proxy waits for the list of workers. */
const ASK_TIMEOUT_MS = 10_000;
/**
 * Longest a forwarded request waits for the worker's answer: beyond the
 * default ackTimeoutMs of a source (120 s), after which the worker answers
 * 504 itself; this bounds a worker that stopped answering at all.
 */
export const INGEST_FORWARD_TIMEOUT_MS = 300_000;

/** Mounts the proxy; `readBody` reads a request's body up to the master's limit. */
export function mountIngestProxy(
  app: Hono,
  deps: RestDeps,
  readBody: (req: Request) => Promise<Uint8Array>,
): void {
  /** Names a worker served: while none does (their readers restart), 503 rather than 404. */
  const served = new Set<string>();
  /** The workers that served each name, asked first in turns. */
  const serving = new Map<string, string[]>();
  let turn = 0;
  const forget = (name: string, address: string) => {
    const list = serving.get(name)?.filter((a) => a !== address) ?? [];
    if (list.length > 0) serving.set(name, list);
    else serving.delete(name);
  };

  app.post(`${INGEST_PREFIX}/:name`, async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c.req.raw);
    const { workers } = await askResourceManager(
      deps.resourceManager,
      { type: "overview" },
      ASK_TIMEOUT_MS,
    );
    const known = serving.get(name) ?? [];
    const first = known.length === 0 ? 0 : turn++ % known.length;
    const rotated = [...known.slice(first), ...known.slice(0, first)];
    const addresses = [
      ...rotated,
      // In-process workers (`spate local`) have no data port: localIngest serves them.
      ...workers.map((w) => w.dataAddress).filter((a) => a !== "" && !known.includes(a)),
    ];
    const query = new URL(c.req.url).search;
    let restarting = false;
    // `spate local`: the in-process workers' readers first (they have no data port).
    if (deps.localIngest !== undefined) {
      const res = await deps.localIngest(
        new Request(c.req.url, { method: "POST", body: body as Uint8Array<ArrayBuffer> }),
        name,
        new URL(c.req.url).searchParams.get("ack"),
      );
      if (!res.headers.has(INGEST_ABSENT_HEADER)) return res;
      restarting ||= res.status === 503;
    }
    const unreachable: string[] = [];
    for (const address of addresses) {
      let res: Response;
      try {
        res = await forward(`${address}${INGEST_PREFIX}/${encodeURIComponent(name)}${query}`, {
          body,
          contentType: c.req.header("content-type"),
          secret: deps.secret,
          address,
        });
      } catch (e) {
        if ((e as Error).name === "TimeoutError") {
          return c.json({
            errors: [
              `worker ${address} did not answer within ${INGEST_FORWARD_TIMEOUT_MS} ms: ` +
              "the records may or may not be in the job; send them again",
            ],
          }, 504);
        }
        unreachable.push(`${address}: ${(e as Error).message}`);
        forget(name, address);
        continue;
      }
      if (res.headers.has(INGEST_ABSENT_HEADER)) {
        restarting ||= res.status === 503;
        await res.body?.cancel();
        forget(name, address);
        continue;
      }
      served.add(name);
      const now = serving.get(name) ?? [];
      if (!now.includes(address)) serving.set(name, [...now, address]);
      return new Response(res.body, {
        status: res.status,
        headers: pick(res.headers, ["content-type", "retry-after"]),
      });
    }
    if (restarting || unreachable.length > 0 || served.has(name) || await jobStarting(deps)) {
      const why = unreachable.length > 0 ? ` (unreachable: ${unreachable.join("; ")})` : "";
      return c.json(
        { errors: [`no reader of ingest source '${name}' is running now${why}: retry later`] },
        503,
        { "retry-after": "1" },
      );
    }
    return c.json({
      errors: [`no ingest source '${name}' runs on any of the ${workers.length} worker(s)`],
    }, 404);
  });
}

/** Whether a job is (re)starting: its readers may not have opened yet. */
async function jobStarting(deps: RestDeps): Promise<boolean> {
  const jobs = await askDispatcher(deps.dispatcher, { type: "listJobs" }, ASK_TIMEOUT_MS);
  for (const j of jobs) {
    if (j.state === "CREATED" || j.state === "RESTARTING") return true;
    if (j.state !== "RUNNING") continue;
    const d = await askDispatcher(
      deps.dispatcher,
      { type: "jobDetails", jobId: j.jobId },
      ASK_TIMEOUT_MS,
    );
    const starting = d.vertices.some((v) =>
      v.subtasks.some((s) => s.state !== "RUNNING" && s.state !== "FINISHED")
    );
    if (starting) return true;
  }
  return false;
}

async function forward(
  url: string,
  o: { body: Uint8Array; contentType?: string; secret?: ClusterSecret; address: string },
): Promise<Response> {
  const proof = o.secret && await provePeer(o.address, o.secret, "data");
  const res = await nodeFetch(url, {
    method: "POST",
    body: o.body as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(INGEST_FORWARD_TIMEOUT_MS),
    headers: {
      ...(o.contentType === undefined ? {} : { "content-type": o.contentType }),
      ...proof?.headers,
    },
  });
  return res;
}

function pick(headers: Headers, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = headers.get(n);
    if (v !== null) out[n] = v;
  }
  return out;
}
