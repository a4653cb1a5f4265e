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
 * over the workers that served NAME before, then to the others (and, once a
 * second, to the others first, to find readers that moved there); a worker
 * without a reader says so (INGEST_ABSENT_HEADER) and is asked no more.
 * When no worker has a reader: 503 (send again) for a name served before or
 * while a job is (re)starting, else 404. A request is sent to another
 * worker only when the connect failed: once a worker may have taken the
 * records (the connection dropped later), the client gets 503 and decides.
 * @module
 */

import type { Hono } from "hono";
import {
  INGEST_ABSENT_HEADER,
  INGEST_PREFIX,
} from "../../../core/connectors/http_ingest/ingest_protocol.ts";
import { askResourceManager } from "../../protocol/resource_manager.ts";
import { askDispatcher } from "../../protocol/dispatcher.ts";
import { PROOF_HEADERS, provePeer } from "../../rpc/auth/peer_proof.ts";
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
/** How often the proxy looks for readers on workers that did not serve a name before. */
const SURVEY_INTERVAL_MS = 1000;

/** What asking the workers gave: an answer to pass on, or why none came. */
interface Asked {
  readonly answer?: Response;
  /** A worker had a reader of the name that is restarting. */
  readonly restarting: boolean;
  readonly unreachable: string[];
  readonly workers: number;
}

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

  /** When each name's workers were last surveyed for readers the proxy does not know of. */
  const surveyed = new Map<string, number>();
  const overview = async () =>
    (await askResourceManager(deps.resourceManager, { type: "overview" }, ASK_TIMEOUT_MS)).workers;
  // In-process workers (`spate local`) have no data port: localIngest serves them.
  const unknownOf = (workers: { dataAddress: string }[], known: string[]) =>
    workers.map((w) => w.dataAddress).filter((a) => a !== "" && !known.includes(a));

  /**
   * Asks the workers that served `name` (in turns), then the others, until
   * one has a reader. Under load a request costs one forward: the list of
   * workers is asked for only when none that served the name answers, and
   * once per SURVEY_INTERVAL_MS, when the other workers are asked first
   * (a reader that opened on one since, after a restart, then gets its share).
   */
  async function askWorkers(name: string, body: Uint8Array, req: Request): Promise<Asked> {
    const path = `${INGEST_PREFIX}/${encodeURIComponent(name)}${new URL(req.url).search}`;
    const tried = { restarting: false, unreachable: [] as string[] };
    const known = serving.get(name) ?? [];
    const first = known.length === 0 ? 0 : turn++ % known.length;
    const ordered = [...known.slice(first), ...known.slice(0, first)];
    const now = Date.now();
    if (known.length > 0 && now - (surveyed.get(name) ?? 0) < SURVEY_INTERVAL_MS) {
      const answer = await tryWorkers(name, ordered, path, body, req, tried);
      if (answer !== undefined) return { answer, ...tried, workers: known.length };
      ordered.length = 0;
    }
    surveyed.set(name, now);
    const workers = await overview();
    const addresses = [...unknownOf(workers, known), ...ordered];
    const answer = await tryWorkers(name, addresses, path, body, req, tried);
    return { answer, ...tried, workers: workers.length };
  }

  /** Forwards to `addresses` in order; the first answer of a worker with a reader, if any. */
  async function tryWorkers(
    name: string,
    addresses: string[],
    path: string,
    body: Uint8Array,
    req: Request,
    tried: { restarting: boolean; unreachable: string[] },
  ): Promise<Response | undefined> {
    for (const address of addresses) {
      let res: Response;
      try {
        res = await forward(address, path, body, req.headers.get("content-type"), deps.secret);
      } catch (e) {
        if ((e as Error).name === "TimeoutError") {
          const message = `worker ${address} did not answer within ${INGEST_FORWARD_TIMEOUT_MS} ` +
            "ms: the records may or may not be in the job; send them again";
          return errorAnswer(504, message);
        }
        if (e instanceof ForwardDropped) {
          forget(name, address);
          return errorAnswer(
            503,
            `the connection to worker ${address} dropped while forwarding (${e.message}): ` +
              "the records may or may not be in the job; send them again",
            { "retry-after": "1" },
          );
        }
        tried.unreachable.push(`${address}: ${fetchError(e)}`);
        forget(name, address);
        continue;
      }
      if (res.headers.has(INGEST_ABSENT_HEADER)) {
        tried.restarting ||= res.status === 503;
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
    return undefined;
  }

  app.post(`${INGEST_PREFIX}/:name`, async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c.req.raw);
    let restarting = false;
    // `spate local`: the in-process workers' readers first (they have no data port).
    if (deps.localIngest !== undefined) {
      const res = await deps.localIngest(
        new Request(c.req.url, { method: "POST", body: body as Uint8Array<ArrayBuffer> }),
        name,
        new URL(c.req.url).searchParams.get("ack"),
      );
      if (!res.headers.has(INGEST_ABSENT_HEADER)) return res;
      restarting = res.status === 503;
    }
    const asked = await askWorkers(name, body, c.req.raw);
    if (asked.answer !== undefined) return asked.answer;
    const unreachable = asked.unreachable;
    if (
      restarting || asked.restarting || unreachable.length > 0 || served.has(name) ||
      await jobStarting(deps)
    ) {
      const why = unreachable.length > 0 ? ` (unreachable: ${unreachable.join("; ")})` : "";
      return errorAnswer(
        503,
        `no reader of ingest source '${name}' is running now${why}: retry later`,
        { "retry-after": "1" },
      );
    }
    return errorAnswer(
      404,
      `no ingest source '${name}' runs on any of the ${asked.workers} worker(s)`,
    );
  });
}

function errorAnswer(status: number, message: string, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ errors: [message] }), {
    status,
    headers: { "content-type": "application/json", ...headers },
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

/**
 * A forward that failed after its connection was up: the worker may have
 * taken the records, so the proxy answers 503 (the client decides to send
 * again) rather than sending them to another worker behind its back.
 */
class ForwardDropped extends Error {}

/** A fetch failure's message with its cause (where Deno says what failed). */
function fetchError(e: unknown): string {
  const cause = (e as Error).cause;
  return cause === undefined ? String((e as Error).message) : `${(e as Error).message}: ${cause}`;
}

/** POSTs `body` to the worker at `address`, with a proof of the cluster secret when there is one. */
async function forward(
  address: string,
  path: string,
  body: Uint8Array,
  contentType: string | null,
  secret: ClusterSecret | undefined,
): Promise<Response> {
  const proof = secret && await provePeer(address, secret, "data");
  let res: Response;
  try {
    res = await nodeFetch(`${address}${path}`, {
      method: "POST",
      body: body as Uint8Array<ArrayBuffer>,
      signal: AbortSignal.timeout(INGEST_FORWARD_TIMEOUT_MS),
      headers: {
        ...(contentType === null ? {} : { "content-type": contentType }),
        ...proof?.headers,
      },
    });
  } catch (e) {
    // Only a failed connect proves the worker never saw the body.
    if ((e as Error).name === "TimeoutError" || /\(Connect\)/.test(fetchError(e))) throw e;
    throw new ForwardDropped(fetchError(e), { cause: e });
  }
  // The worker proves the secret too: records go only to a node of this cluster.
  if (proof !== undefined && res.status !== 401) {
    await proof.checkServer(res.headers.get(PROOF_HEADERS.serverProof));
  }
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
