/**
 * HTTP/2 transport of actor connections: the dialing side POSTs to
 * `/rpc/v1/connect` with a streaming body (its frames) and reads the
 * streaming response (the peer's frames). Only the dialer needs to reach the
 * other side, so workers behind NAT can join a master. With a cluster secret
 * the request carries a proof of it (auth/peer_proof.ts) and the response the
 * server's; with a token, an `Authorization: Bearer` header.
 * @module
 */

import type { ActorSystem } from "./actor_system.ts";
import type { ClusterSecret } from "./auth/cluster_secret.ts";
import { PEER_NAME_HEADER, PROOF_HEADERS, provePeer } from "./auth/peer_proof.ts";
import { DEFAULT_MAX_FRAME_BYTES, FrameStream } from "./frames.ts";
import { dropSession, type H2Response, postStream } from "./h2_client.ts";
import { DEFAULT_STREAM_LIMITS } from "./peer_stream_limit.ts";
import { type InboundPolicy, RemoteConnection } from "./remote_connection.ts";
import { tlsFailure } from "./tls/tls_errors.ts";

/** Path of the control-plane stream. */
export const RPC_CONNECT_PATH = "/rpc/v1/connect";

/** What the server decided about a connect request it lets through. */
export interface Admission {
  /** What the peer may send; absent: anything. */
  readonly policy?: InboundPolicy;
  /** Headers of the response (the server's proof of the secret). */
  readonly headers?: Record<string, string>;
}

/** Server side: answers a connect request with the response half of the connection. */
export function acceptConnection(
  req: Request,
  system: ActorSystem,
  onConnection: (conn: RemoteConnection) => void,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
  admission: Admission = {},
  helloTimeoutMs: number = DEFAULT_STREAM_LIMITS.firstFrameTimeoutMs,
): Response {
  if (req.body === null) return new Response("connect needs a streaming body\n", { status: 400 });
  const out = new FrameStream(maxFrameBytes);
  const conn = new RemoteConnection(
    system,
    req.body,
    out,
    maxFrameBytes,
    admission.policy,
    helloTimeoutMs,
  );
  onConnection(conn);
  return new Response(out.readable, {
    headers: { "content-type": "application/cbor-seq", ...admission.headers },
  });
}

/** How long dialing a peer may take (TCP, HTTP/2 and the hello) by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/**
 * Limits of a dialed connection, and how the dialer (a node: clients use the
 * REST API) authenticates: it proves the cluster secret.
 */
export interface DialOptions {
  readonly maxFrameBytes?: number;
  /**
   * How long the dial may take until the peer's hello. A peer cut off by the
   * network drops packets silently; without a bound a dial would wait for
   * TCP's own timeout (minutes) instead of trying the next master.
   */
  readonly connectTimeoutMs?: number;
  readonly secret?: ClusterSecret;
}

/** Client side: opens a connection to the system serving `baseUrl`. */
export async function dialConnection(
  baseUrl: string,
  system: ActorSystem,
  options: DialOptions = {},
): Promise<RemoteConnection> {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const timeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const out = new FrameStream(maxFrameBytes);
  let res: H2Response | undefined;
  let conn: RemoteConnection | undefined;
  const timeout = new Error(`connect to ${baseUrl} timed out after ${timeoutMs} ms`);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout), timeoutMs);
  });
  try {
    let proof;
    try {
      proof = options.secret &&
        await Promise.race([provePeer(baseUrl, options.secret, "rpc"), timedOut]);
      res = await Promise.race([
        postStream(baseUrl, RPC_CONNECT_PATH, out.readable, {
          [PEER_NAME_HEADER]: system.name,
          ...proof?.headers,
        }),
        timedOut,
      ]);
    } catch (e) {
      if (e === timeout) throw e;
      const why = tlsFailure(e, baseUrl) ?? (e as Error).message;
      throw new Error(`connect to ${baseUrl} failed: ${why}`, { cause: e });
    }
    if (res.status !== 200) {
      const text = await new Response(res.body).text().catch(() => "");
      throw new Error(`connect to ${baseUrl} failed: HTTP ${res.status} ${refusalText(text)}`);
    }
    await proof?.checkServer(String(res.headers[PROOF_HEADERS.serverProof]));
    conn = new RemoteConnection(system, res.body, out, maxFrameBytes);
    await Promise.race([conn.ready(), timedOut]);
    return conn;
  } catch (e) {
    conn?.close((e as Error).message);
    out.close();
    res?.cancel();
    // The pooled connection to a silent peer is dead: the next dial opens a new one.
    if (e === timeout) dropSession(baseUrl);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** The message of a JSON refusal (`{ errors: [...] }` or `{ error }`), else the text. */
function refusalText(text: string): string {
  try {
    const body = JSON.parse(text) as { errors?: string[]; error?: string };
    return body.errors?.join("; ") ?? body.error ?? text;
  } catch {
    return text.slice(0, 200);
  }
}
