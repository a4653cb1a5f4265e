/**
 * The client side of spate's HTTP/2 streams. It uses `node:http2` over a
 * socket with TCP_NODELAY: Deno's `fetch` leaves Nagle's algorithm on, and
 * with the peer's delayed ACKs a small write after a large one (a credit
 * after data, a reply after a request) waits ~40 ms, which throttled the
 * credit-based shuffle to ~20 MB/s. One session (connection) per origin is
 * shared by every stream to that peer.
 * @module
 */

import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import { clientTls } from "./tls/client_tls.ts";

const sessions = new Map<string, http2.ClientHttp2Session>();

/** HTTP/2 receive window per stream and per connection. */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 64 * 1024 * 1024;
/** Largest HTTP/2 DATA frame a peer may send us (the protocol's default is 16 KiB). */
const MAX_FRAME_BYTES = 1024 * 1024;

function session(origin: string): http2.ClientHttp2Session {
  const open = sessions.get(origin);
  if (open !== undefined && !open.closed && !open.destroyed) return open;
  const url = new URL(origin);
  const s = http2.connect(origin, {
    // Large windows: credits already bound what a peer may send, so HTTP/2's own
    // flow control should never be the one that stalls a stream. Large DATA frames:
    // the client's HTTP/2 code costs per frame (and per window update) in JavaScript.
    settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxFrameSize: MAX_FRAME_BYTES },
    createConnection: () => {
      const socket = url.protocol === "https:" ? tlsSocket(url) : net.connect(
        Number(url.port || 80),
        url.hostname.replace(/^\[|\]$/g, ""),
      );
      socket.setNoDelay(true);
      return socket;
    },
  });
  s.on("error", () => {}); // surfaced on each stream
  s.on("connect", () => {
    // A dial that timed out may have destroyed the session before it connected.
    if (!s.destroyed && !s.closed) s.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
  });
  const keepalive = keepAlive(s, origin);
  s.on("close", () => {
    clearInterval(keepalive);
    if (sessions.get(origin) === s) sessions.delete(origin);
  });
  sessions.set(origin, s);
  return s;
}

/**
 * How often a pooled connection is pinged (HTTP/2 PING), and how long a ping
 * may go unanswered before the connection is dropped. A peer cut off by the
 * network sends no FIN: without pings its streams would wait forever.
 */
export const KEEPALIVE = { intervalMs: 2_000, timeoutMs: 6_000 };

/** Pings `s` every KEEPALIVE.intervalMs; destroys it when a ping stays unanswered too long. */
function keepAlive(
  s: http2.ClientHttp2Session,
  origin: string,
): ReturnType<typeof setInterval> {
  let pendingSinceMs: number | undefined;
  const timer = setInterval(() => {
    if (s.closed || s.destroyed || s.connecting) return;
    if (pendingSinceMs !== undefined) {
      const silentMs = performance.now() - pendingSinceMs;
      if (silentMs > KEEPALIVE.timeoutMs) {
        s.destroy(new Error(`${origin} answered no ping for ${Math.round(silentMs)} ms`));
      }
      return;
    }
    pendingSinceMs = performance.now();
    try {
      // Only note the answer here: destroying a session inside its ping callback crashed Deno.
      s.ping(() => pendingSinceMs = undefined);
    } catch {
      pendingSinceMs = undefined; // closing meanwhile
    }
  }, KEEPALIVE.intervalMs);
  Deno.unrefTimer(timer);
  return timer;
}

/** A TLS connection to `url` that offers h2 and verifies the server with the process's client TLS. */
function tlsSocket(url: URL): tls.TLSSocket {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const { ca, identity } = clientTls();
  return tls.connect({
    host,
    port: Number(url.port || 443),
    // SNI takes a name, never an address; the certificate is checked against either.
    ...(net.isIP(host) === 0 ? { servername: host } : {}),
    ALPNProtocols: ["h2"],
    ...(ca === undefined ? {} : { ca }),
    ...(identity ?? {}),
  });
}

/** A streaming request in flight: the response status and body. */
export interface H2Response {
  readonly status: number;
  /** The response headers (lower-case names). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: ReadableStream<Uint8Array>;
  /** Aborts the stream (both directions). */
  cancel(): void;
}

/**
 * POSTs `body` (a stream, written as it is produced) to `path` at `baseUrl`
 * and resolves with the streaming response once its headers arrive;
 * `headers` are added to the request's.
 */
export function postStream(
  baseUrl: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
): Promise<H2Response> {
  const origin = new URL(baseUrl).origin;
  return new Promise((resolve, reject) => {
    let req: http2.ClientHttp2Stream;
    try {
      req = session(origin).request({
        ":method": "POST",
        ":path": path,
        "content-type": "application/cbor-seq",
        ...headers,
      });
    } catch (e) {
      reject(e);
      return;
    }
    const responseBody = new ReadableStream<Uint8Array>({
      start(c) {
        // A view, not a copy: each chunk has a backing buffer of its own, never reused.
        req.on(
          "data",
          (chunk: Uint8Array) =>
            c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
        );
        req.on("end", () => {
          try {
            c.close();
          } catch { /* cancelled */ }
        });
        req.on("error", (e: Error) => {
          try {
            c.error(e);
          } catch { /* cancelled */ }
        });
      },
      cancel() {
        req.close(http2.constants.NGHTTP2_CANCEL);
      },
    });
    req.on("error", reject);
    req.on("response", (headers) => {
      resolve({
        status: Number(headers[":status"]),
        headers,
        body: responseBody,
        cancel: () => req.close(http2.constants.NGHTTP2_CANCEL),
      });
    });
    (async () => {
      try {
        for await (const chunk of body) {
          if (req.destroyed) return;
          if (!req.write(chunk)) await new Promise((r) => req.once("drain", r));
        }
        if (!req.destroyed) req.end();
      } catch {
        req.close(http2.constants.NGHTTP2_CANCEL);
      }
    })();
  });
}

/** Closes the pooled connection to `baseUrl`'s origin, if any (a peer gone silent). */
export function dropSession(baseUrl: string): void {
  const origin = new URL(baseUrl).origin;
  sessions.get(origin)?.destroy();
  sessions.delete(origin);
}

/** Closes every pooled connection (tests, shutdown). */
export function closeSessions(): void {
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
}
