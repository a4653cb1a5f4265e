/**
 * HTTP/2 transport of actor connections: the dialing side POSTs to
 * `/rpc/v1/connect` with a streaming body (its frames) and reads the
 * streaming response (the peer's frames). Only the dialer needs to reach the
 * other side, so workers behind NAT can join a master.
 * @module
 */

import type { ActorSystem } from "./actor_system.ts";
import { DEFAULT_MAX_FRAME_BYTES, FrameStream } from "./frames.ts";
import { dropSession, type H2Response, postStream } from "./h2_client.ts";
import { tlsFailure } from "./tls/tls_errors.ts";
import { RemoteConnection } from "./remote_connection.ts";

/** Path of the control-plane stream. */
export const RPC_CONNECT_PATH = "/rpc/v1/connect";

/** Server side: answers a connect request with the response half of the connection. */
export function acceptConnection(
  req: Request,
  system: ActorSystem,
  onConnection: (conn: RemoteConnection) => void,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Response {
  if (req.body === null) return new Response("connect needs a streaming body\n", { status: 400 });
  const out = new FrameStream(maxFrameBytes);
  const conn = new RemoteConnection(system, req.body, out, maxFrameBytes);
  onConnection(conn);
  return new Response(out.readable, { headers: { "content-type": "application/cbor-seq" } });
}

/** How long dialing a peer may take (TCP, HTTP/2 and the hello) by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** Limits of a dialed connection. */
export interface DialOptions {
  readonly maxFrameBytes?: number;
  /**
   * How long the dial may take until the peer's hello. A peer cut off by the
   * network drops packets silently; without a bound a dial would wait for
   * TCP's own timeout (minutes) instead of trying the next master.
   */
  readonly connectTimeoutMs?: number;
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
    try {
      res = await Promise.race([postStream(baseUrl, RPC_CONNECT_PATH, out.readable), timedOut]);
    } catch (e) {
      if (e === timeout) throw e;
      const why = tlsFailure(e, baseUrl) ?? (e as Error).message;
      throw new Error(`connect to ${baseUrl} failed: ${why}`, { cause: e });
    }
    if (res.status !== 200) {
      const why = await Promise.race([refusal(res), timedOut]);
      throw new Error(`connect to ${baseUrl} failed: HTTP ${res.status}${why}`);
    }
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

/** Longest part of a refusal's body put into an error message. */
const REFUSAL_TEXT_CHARS = 300;

/** `: <the start of the body>` of a refused connect (a 403 says why), or "". */
async function refusal(res: H2Response): Promise<string> {
  const reader = res.body.getReader();
  try {
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value ?? new Uint8Array()).trim();
    return text === "" ? "" : `: ${text.slice(0, REFUSAL_TEXT_CHARS)}`;
  } catch {
    return "";
  }
}
