/**
 * HTTP/2 transport of actor connections: the dialing side POSTs to
 * `/rpc/v1/connect` with a streaming body (its frames) and reads the
 * streaming response (the peer's frames). Only the dialer needs to reach the
 * other side, so workers behind NAT can join a master.
 * @module
 */

import type { ActorSystem } from "./actor_system.ts";
import { DEFAULT_MAX_FRAME_BYTES, FrameStream } from "./frames.ts";
import { RemoteConnection } from "./remote_connection.ts";

/** Path of the control-plane stream. */
export const RPC_CONNECT_PATH = "/rpc/v1/connect";

let sharedClient: Deno.HttpClient | undefined;

/** One HTTP/2 (h2c prior knowledge) client per process: one connection per origin. */
export function h2cClient(): Deno.HttpClient {
  return sharedClient ??= Deno.createHttpClient({ http1: false, http2: true });
}

/** Init of a POST whose body streams, over the shared h2c client. */
export function streamingPost(body: ReadableStream<Uint8Array>): RequestInit {
  const init = {
    method: "POST",
    body,
    headers: { "content-type": "application/cbor-seq" },
    client: h2cClient(),
    duplex: "half", // required for streaming request bodies
  };
  return init as RequestInit;
}

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

/** Client side: opens a connection to the system serving `baseUrl`. */
export async function dialConnection(
  baseUrl: string,
  system: ActorSystem,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Promise<RemoteConnection> {
  const out = new FrameStream(maxFrameBytes);
  const res = await fetch(new URL(RPC_CONNECT_PATH, baseUrl), streamingPost(out.readable));
  if (!res.ok || res.body === null) {
    out.close();
    throw new Error(`connect to ${baseUrl} failed: HTTP ${res.status} ${await res.text()}`);
  }
  const conn = new RemoteConnection(system, res.body, out, maxFrameBytes);
  await conn.ready();
  return conn;
}
