/**
 * TLS-level garbage for a TLS port, sent on raw TCP connections: plain HTTP
 * bytes, a real ClientHello followed by garbage, a handshake the client
 * abandons, and a client that trusts another CA. Each case says how the
 * connection ended and how long the server took to end it.
 * @module
 */

import { randomBytes, type Rnd } from "./fuzz_cases.ts";

export const TLS_GARBAGE_KINDS = [
  "plain HTTP",
  "hello then garbage",
  "closed mid-handshake",
  "another CA",
] as const;
export type TlsGarbageKind = typeof TLS_GARBAGE_KINDS[number];

/** How long a server may take to close a connection it cannot use. */
export const CLOSE_BOUND_MS = 5000;

/** Where the cases go, and what they are made of. */
export interface TlsGarbageTarget {
  readonly hostname: string;
  readonly port: number;
  /** A ClientHello from {@link captureClientHello}. */
  readonly hello: Uint8Array;
  /** The PEM certificate of a CA that did not sign the server's certificate. */
  readonly otherCa: string;
}

/** The outcome of one case: how it ended, and when the server closed (ms after the last write). */
export interface TlsGarbageOutcome {
  readonly ended: string;
  readonly closeMs?: number;
}

/** The first record Deno's TLS client sends (a ClientHello offering ALPN h2), caught on a listener. */
export async function captureClientHello(ca: string): Promise<Uint8Array> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const client = Deno.connectTls({
    hostname: "127.0.0.1",
    port,
    caCerts: [ca],
    alpnProtocols: ["h2"],
  });
  using server = await listener.accept();
  const conn = await client;
  const handshake = conn.handshake().catch(() => {}); // never finishes: nobody answers
  const buf = new Uint8Array(16 * 1024);
  let got = 0;
  // A record: type, version (2 bytes), length (2 bytes), then the body.
  while (got < 5 || got < 5 + ((buf[3] << 8) | buf[4])) {
    const n = await server.read(buf.subarray(got));
    if (n === null) throw new Error(`the TLS client closed after ${got} bytes of its hello`);
    got += n;
  }
  conn.close();
  await handshake;
  if (buf[0] !== 22) throw new Error(`a ClientHello is a handshake record (22), got ${buf[0]}`);
  return buf.slice(0, got);
}

/** Reads until the server closes `conn` or `boundMs` passes. */
async function untilClosed(
  conn: Deno.Conn,
  boundMs = CLOSE_BOUND_MS,
): Promise<TlsGarbageOutcome & { bytes: number[] }> {
  const t0 = performance.now();
  const bytes: number[] = [];
  const timer = setTimeout(() => conn.close(), boundMs);
  const buf = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) {
        return { ended: "closed by the server", closeMs: performance.now() - t0, bytes };
      }
      if (bytes.length < 16) bytes.push(...buf.subarray(0, Math.min(n, 16)));
    }
  } catch (e) {
    if (e instanceof Deno.errors.BadResource || e instanceof Deno.errors.Interrupted) {
      return { ended: `held open ${boundMs} ms`, bytes };
    }
    return { ended: `reset by the server`, closeMs: performance.now() - t0, bytes };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A plain HTTP/1.1 request or an h2c preface, as a client that forgot `https` sends it. */
function plainRequest(rnd: Rnd): Uint8Array {
  const path = ["/", "/api/v1/overview", "/api/v1/jobs", "/rpc/v1/connect", "/data/v1/partition"][
    Math.floor(rnd() * 5)
  ];
  const text = rnd() < 0.2
    ? "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    : `${rnd() < 0.5 ? "GET" : "POST"} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      `authorization: Bearer x\r\ncontent-length: 0\r\n\r\n`;
  return new TextEncoder().encode(text);
}

/** After a ClientHello: noise, or a record header (any type) with a random body. */
function afterHello(rnd: Rnd): Uint8Array {
  if (rnd() < 0.5) return randomBytes(rnd, 600);
  const body = randomBytes(rnd, 300);
  const type = [20, 21, 22, 23, Math.floor(rnd() * 256)][Math.floor(rnd() * 5)];
  return concat(new Uint8Array([type, 3, 3, body.length >> 8, body.length & 0xff]), body);
}

/** Sends one case of `kind`; resolves when the connection has ended. */
export async function tlsGarbageCase(
  kind: TlsGarbageKind,
  rnd: Rnd,
  target: TlsGarbageTarget,
): Promise<TlsGarbageOutcome> {
  const { hostname, port, hello } = target;
  if (kind === "another CA") {
    const conn = await Deno.connectTls({
      hostname,
      port,
      caCerts: [target.otherCa],
      alpnProtocols: ["h2"],
    });
    try {
      await conn.handshake();
      return { ended: "handshake completed: the client trusted the server" };
    } catch (e) {
      return { ended: `refused by the client: ${(e as Error).message}` };
    } finally {
      conn.close();
    }
  }
  const conn = await Deno.connect({ hostname, port });
  if (kind === "closed mid-handshake") {
    // A part of the hello; or all of it, then a close once the server has answered.
    const cut = Math.floor(rnd() * (hello.length + 1));
    await conn.write(hello.subarray(0, Math.max(cut, 1)));
    let heldOpen = false;
    const timer = setTimeout(() => {
      heldOpen = true;
      conn.close();
    }, CLOSE_BOUND_MS);
    try {
      if (cut >= hello.length) await conn.read(new Uint8Array(1024));
      conn.close();
      return { ended: "closed by the client" };
    } catch {
      return { ended: heldOpen ? `no answer in ${CLOSE_BOUND_MS} ms` : "reset by the server" };
    } finally {
      clearTimeout(timer);
    }
  }
  const bytes = kind === "plain HTTP" ? plainRequest(rnd) : concat(hello, afterHello(rnd));
  try {
    await conn.write(bytes);
  } catch {
    conn.close();
    return { ended: "reset by the server", closeMs: 0 };
  }
  const { ended, closeMs, bytes: head } = await untilClosed(conn);
  const http = new TextDecoder().decode(new Uint8Array(head)).startsWith("HTTP/");
  return { ended: http ? `answered in plain HTTP: ${ended}` : ended, closeMs };
}

/**
 * A peer that sends part of its ClientHello and then waits: resolves when
 * the server closed the connection, or after `boundMs`.
 */
export async function stalledHandshake(
  rnd: Rnd,
  target: TlsGarbageTarget,
  boundMs: number,
): Promise<TlsGarbageOutcome> {
  const conn = await Deno.connect({ hostname: target.hostname, port: target.port });
  await conn.write(target.hello.subarray(0, 1 + Math.floor(rnd() * (target.hello.length - 1))));
  const { ended, closeMs } = await untilClosed(conn, boundMs);
  return { ended, closeMs };
}
