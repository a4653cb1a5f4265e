/**
 * HTTP/2 transport of actor connections: the dialing side POSTs to
 * `/rpc/v1/connect` with a streaming body (its frames) and reads the
 * streaming response (the peer's frames). Only the dialer needs to reach the
 * other side, so workers behind NAT can join a master.
 * @module
 */

import type { ActorSystem } from "./actor_system.ts";
import { DEFAULT_MAX_FRAME_BYTES, FrameStream } from "./frames.ts";
import { postStream } from "./h2_client.ts";
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

/** Client side: opens a connection to the system serving `baseUrl`. */
export async function dialConnection(
  baseUrl: string,
  system: ActorSystem,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Promise<RemoteConnection> {
  const out = new FrameStream(maxFrameBytes);
  let res;
  try {
    res = await postStream(baseUrl, RPC_CONNECT_PATH, out.readable);
  } catch (e) {
    out.close();
    throw new Error(`connect to ${baseUrl} failed: ${(e as Error).message}`);
  }
  if (res.status !== 200) {
    out.close();
    res.cancel();
    throw new Error(`connect to ${baseUrl} failed: HTTP ${res.status}`);
  }
  const conn = new RemoteConnection(system, res.body, out, maxFrameBytes);
  await conn.ready();
  return conn;
}
