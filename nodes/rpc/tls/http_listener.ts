/**
 * One listening port of a spate process (a master's REST and RPC, a worker's
 * data server): cleartext HTTP/2 and HTTP/1.1 by `Deno.serve`, TLS by
 * `node:http2` (https_server.ts). Not `Deno.serve` for TLS: it cannot verify
 * client certificates (mutual TLS), and its TLS connections keep Nagle's
 * algorithm on, so a small write after a large one waits for the peer's
 * delayed ACK: 44 ms per round trip of a duplex stream here, against 0.3 ms
 * with the socket's TCP_NODELAY that `node:http2` lets us set (BENCHMARKS.md, TLS).
 * @module
 */

import { serveHttps } from "./https_server.ts";
import type { ServerTls } from "./tls_material.ts";

/** Where a server listens, and its TLS if any. */
export interface ListenOptions {
  readonly hostname: string;
  readonly port: number;
  readonly tls?: ServerTls;
  /** With mutual TLS: the paths that only nodes (a verified client certificate) may call. */
  readonly needsClientCert?: (path: string) => boolean;
  /** With TLS: told about failed handshakes and refused node requests. */
  readonly onTlsError?: (message: string) => void;
}

/** Who sent a request: the address failed authentications are counted by. */
export interface PeerInfo {
  readonly remoteAddr: Deno.NetAddr;
}

/** Answers one request. */
export type Handler = (req: Request, info: PeerInfo) => Response | Promise<Response>;

/** A listening server. */
export interface HttpListener {
  readonly addr: Deno.NetAddr;
  /** `http://host:port` or `https://host:port`, the address bracketed if IPv6. */
  readonly url: string;
  /** Stops accepting and resolves once open connections are closed (bound it: see boundedShutdown). */
  shutdown(): Promise<void>;
}

/**
 * The URL of a server listening on `addr`.
 *
 * @example
 * ```ts
 * import { listenerUrl } from "./http_listener.ts";
 * listenerUrl({ transport: "tcp", hostname: "::1", port: 8081 }, true); // "https://[::1]:8081"
 * ```
 */
export function listenerUrl(addr: Deno.NetAddr, tls: boolean): string {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return `${tls ? "https" : "http"}://${host}:${addr.port}`;
}

/**
 * Serves `handler` on `options.hostname:options.port`, with TLS when `options.tls` is given.
 *
 * @example
 * ```ts
 * import { listenHttp } from "./http_listener.ts";
 * const server = await listenHttp({ hostname: "127.0.0.1", port: 0 }, () => new Response("hi"));
 * await server.shutdown();
 * ```
 */
export async function listenHttp(
  options: ListenOptions,
  handler: Handler,
): Promise<HttpListener> {
  const tls = options.tls;
  if (tls !== undefined) {
    const server = await serveHttps({
      hostname: options.hostname,
      port: options.port,
      tls,
      needsClientCert: options.needsClientCert ?? (() => true),
      onTlsError: options.onTlsError,
    }, handler);
    return { addr: server.addr, url: listenerUrl(server.addr, true), shutdown: server.shutdown };
  }
  const server = Deno.serve(
    { hostname: options.hostname, port: options.port, onListen() {} },
    handler,
  );
  return {
    addr: server.addr,
    url: listenerUrl(server.addr, false),
    shutdown: () => server.shutdown(),
  };
}
