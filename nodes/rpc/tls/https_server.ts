/**
 * A `Request -> Response` handler served over TLS by `node:http2`'s secure
 * server: HTTP/2 with ALPN `h2` for spate's clients, HTTP/1.1 for browsers
 * and curl, on one port, every connection with TCP_NODELAY. With client
 * authentication (mutual TLS) the handshake asks for a certificate but does
 * not demand one, so a browser can still read the REST API; the paths that
 * `needsClientCert` names (node connections) answer 403 to a peer without a
 * certificate the CA signed.
 * @module
 */

import http2 from "node:http2";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { Handler, PeerInfo } from "./http_listener.ts";
import type { ServerTls } from "./tls_material.ts";

/** HTTP/2 receive window per stream, as the client's (nodes/rpc/h2_client.ts). */
const STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * How long a peer may take to finish its TLS handshake before the server
 * closes the connection (Node's default is 120 s: a peer that sends half a
 * ClientHello and waits would hold a socket that long).
 */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Where and how a TLS server listens. */
export interface HttpsServerOptions {
  readonly hostname: string;
  readonly port: number;
  readonly tls: ServerTls;
  /** With `tls.clientAuth`: whether a request to `path` needs a verified client certificate. */
  readonly needsClientCert: (path: string) => boolean;
  /** Told about failed handshakes (a plain-HTTP client), refused requests and server errors. */
  readonly onTlsError?: (message: string) => void;
  /** Closes a connection whose handshake is not done after this long (TLS_HANDSHAKE_TIMEOUT_MS). */
  readonly handshakeTimeoutMs?: number;
}

/** A listening TLS server. */
export interface HttpsServer {
  readonly addr: Deno.NetAddr;
  /** Stops accepting, asks open connections to finish; resolves once all are closed. */
  shutdown(): Promise<void>;
}

/**
 * Serves `handler` over TLS on `options.hostname:options.port`.
 *
 * @example
 * ```ts ignore
 * import { serveHttps } from "./https_server.ts";
 * const s = await serveHttps({ hostname: "127.0.0.1", port: 0, tls, needsClientCert: () => true },
 *   () => new Response("hi"));
 * ```
 */
export async function serveHttps(
  options: HttpsServerOptions,
  handler: Handler,
): Promise<HttpsServer> {
  const { tls } = options;
  const server = http2.createSecureServer({
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    requestCert: tls.clientAuth,
    rejectUnauthorized: false, // checked per path: a browser without a certificate reads REST
    allowHTTP1: true,
    handshakeTimeout: options.handshakeTimeoutMs ?? TLS_HANDSHAKE_TIMEOUT_MS,
    settings: { initialWindowSize: STREAM_WINDOW_BYTES },
  });
  const sockets = new Set<Socket>();
  server.on("secureConnection", (socket: TLSSocket) => {
    socket.setNoDelay(true); // see nodes/rpc/h2_client.ts: Nagle stalls credits after data
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on(
    "tlsClientError",
    (e: Error) => options.onTlsError?.(`TLS handshake failed: ${e.message}`),
  );
  server.on("sessionError", () => {}); // a peer that went away: its streams see it
  server.on("request", (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    const socket = req.socket as unknown as TLSSocket;
    if (tls.clientAuth && options.needsClientCert(path) && !socket.authorized) {
      const why = socket.authorizationError ?? "no certificate";
      options.onTlsError?.(
        `refused ${path} from ${socket.remoteAddress}: no valid client certificate (${why})`,
      );
      res.writeHead(403, { "content-type": "text/plain" });
      res.end(`a client certificate signed by the cluster's CA is needed here (${why})\n`);
      return;
    }
    const peer: PeerInfo = {
      remoteAddr: {
        transport: "tcp",
        hostname: socket.remoteAddress ?? "unknown",
        port: socket.remotePort ?? 0,
      },
    };
    answer(req, res, (r) => handler(r, peer));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      // An error the server emits later (an accept that failed) must not end the process.
      server.on("error", (e: Error) => options.onTlsError?.(`server error: ${e.message}`));
      resolve();
    });
  });
  const a = server.address() as { address: string; port: number };
  return {
    addr: { transport: "tcp", hostname: a.address, port: a.port },
    shutdown() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.end();
      return closed;
    },
  };
}

/** The web Request of a node request: its body a stream read as the handler pulls. */
function webRequest(req: http2.Http2ServerRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const authority = req.headers[":authority"] ?? req.headers.host ?? "localhost";
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(`https://${authority}${req.url}`, {
    method: req.method,
    headers,
    body: hasBody ? requestBody(req) : null,
    // @ts-ignore: duplex is needed for a streaming body; Deno's RequestInit types lack it
    duplex: "half",
  });
}

function requestBody(req: http2.Http2ServerRequest): ReadableStream<Uint8Array> {
  req.pause();
  return new ReadableStream<Uint8Array>({
    start(c) {
      // A view, not a copy: each chunk has a backing buffer of its own.
      req.on("data", (chunk: Uint8Array) => {
        c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((c.desiredSize ?? 0) <= 0) req.pause();
      });
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
    pull() {
      req.resume();
    },
    cancel() {
      req.destroy();
    },
  }, { highWaterMark: 16 });
}

/** Resolves when `res` can take more, or is closed (each wait removes its listeners). */
function drainedOrClosed(res: http2.Http2ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.on("drain", done);
    res.on("close", done);
  });
}

/** Runs `handler` on `req` and writes its Response to `res`, the body as it is produced. */
async function answer(
  req: http2.Http2ServerRequest,
  res: http2.Http2ServerResponse,
  handler: (req: Request) => Response | Promise<Response>,
): Promise<void> {
  let response: Response;
  try {
    response = await handler(webRequest(req));
  } catch (e) {
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(`internal error: ${(e as Error).message}\n`);
    return;
  }
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    // Connection-specific headers are not allowed in HTTP/2.
    if (name !== "connection" && name !== "transfer-encoding" && name !== "keep-alive") {
      headers[name] = value;
    }
  });
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on("close", () => reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed || res.writableEnded) return;
      if (!res.write(value)) await drainedOrClosed(res);
    }
    res.end();
  } catch {
    res.destroy();
  }
}
