import assert from "node:assert/strict";
import { closeSessions, postStream } from "../h2_client.ts";
import { createCertificateAuthority, createNodeCertificate } from "./certificates.ts";
import { clientTls, nodeFetch, useClientTls } from "./client_tls.ts";
import { listenHttp } from "./http_listener.ts";
import { serveHttps } from "./https_server.ts";
import type { ServerTls } from "./tls_material.ts";

const ca = await createCertificateAuthority("test CA", 1);
const node = await createNodeCertificate(ca, "localhost", ["127.0.0.1"], 1);
const otherCa = await createCertificateAuthority("other CA", 1);
const stranger = await createNodeCertificate(otherCa, "localhost", ["127.0.0.1"], 1);

/** Echoes a streamed body back as it arrives; answers GET with its path. */
function echo(req: Request): Response {
  if (req.method === "GET") return new Response(`path ${new URL(req.url).pathname}`);
  return new Response(req.body);
}

async function withServer(
  tls: ServerTls,
  body: (url: string, refusals: string[]) => Promise<void>,
): Promise<void> {
  const refusals: string[] = [];
  const server = await listenHttp({
    hostname: "127.0.0.1",
    port: 0,
    tls,
    needsClientCert: (path) => path.startsWith("/node"),
    onTlsError: (m) => refusals.push(m),
  }, echo);
  try {
    await body(server.url, refusals);
  } finally {
    closeSessions();
    useClientTls(undefined);
    await server.shutdown();
  }
}

/** Sends `parts` one by one on a POST stream, each after the previous one came back. */
async function duplexRoundTrips(url: string, path: string, parts: string[]): Promise<string[]> {
  let push!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (push = c) });
  const res = await postStream(url, path, body);
  assert.equal(res.status, 200);
  const reader = res.body.getReader();
  const got: string[] = [];
  for (const p of parts) {
    push.enqueue(new TextEncoder().encode(p));
    const { value } = await reader.read();
    got.push(new TextDecoder().decode(value));
  }
  push.close();
  assert.equal((await reader.read()).done, true);
  return got;
}

Deno.test("TLS: HTTP/2 duplex streams and REST calls verify the server against the CA", async () => {
  await withServer({ ...node, clientAuth: false }, async (url) => {
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    useClientTls({ ca: ca.cert });
    // Each part comes back before the next is sent: the response streams while the request does.
    assert.deepEqual(await duplexRoundTrips(url, "/node", ["a", "bb", "ccc"]), ["a", "bb", "ccc"]);
    const res = await nodeFetch(`${url}/api/x`);
    assert.equal(await res.text(), "path /api/x");
  });
});

Deno.test("TLS: a server whose certificate another CA signed is refused, naming the failure", async () => {
  await withServer({ ...stranger, clientAuth: false }, async (url) => {
    useClientTls({ ca: ca.cert });
    await assert.rejects(() => nodeFetch(`${url}/api/x`), (e: Error) => {
      assert.match(String(e.cause), /UnknownIssuer/);
      return true;
    });
    await assert.rejects(
      () => postStream(url, "/node", ReadableStream.from([])),
      /unable to verify|certificate/i,
    );
  });
});

for (const clientAuth of [false, true]) {
  Deno.test(`TLS${clientAuth ? " (mutual)" : ""}: a plain-HTTP client gets an error, and the server keeps serving`, async () => {
    await withServer({ ...node, ca: ca.cert, clientAuth }, async (url, refusals) => {
      await assert.rejects(() => fetch(url.replace("https:", "http:") + "/api/x"));
      assert.ok(refusals.some((r) => /TLS handshake failed/.test(r)), refusals.join("\n"));
      useClientTls({ ca: ca.cert });
      assert.equal(await (await nodeFetch(`${url}/api/x`)).text(), "path /api/x");
    });
  });
}

Deno.test("mutual TLS: node paths need a client certificate the CA signed; REST does not", async () => {
  await withServer({ ...node, ca: ca.cert, clientAuth: true }, async (url, refusals) => {
    useClientTls({ ca: ca.cert });
    assert.equal(await (await nodeFetch(`${url}/api/x`)).text(), "path /api/x");
    const refused = await postStream(url, "/node", ReadableStream.from([]));
    assert.equal(refused.status, 403);
    refused.cancel();
    assert.ok(refusals.some((r) => /refused \/node .*no valid client certificate/.test(r)));
    closeSessions();

    useClientTls({ ca: ca.cert, identity: stranger });
    const stranger403 = await nodeFetch(`${url}/node`, { method: "POST", body: "x" });
    assert.equal(stranger403.status, 403);
    assert.match(await stranger403.text(), /client certificate signed by the cluster's CA/);
    closeSessions();

    useClientTls({ ca: ca.cert, identity: node });
    assert.deepEqual(await duplexRoundTrips(url, "/node", ["x", "y"]), ["x", "y"]);
    assert.equal(clientTls().identity, node);
  });
});

Deno.test("TLS: a peer that stops halfway through its ClientHello is closed after the handshake timeout", async () => {
  const refusals: string[] = [];
  const server = await serveHttps({
    hostname: "127.0.0.1",
    port: 0,
    tls: { ...node, clientAuth: false },
    needsClientCert: () => false,
    onTlsError: (m) => refusals.push(m),
    handshakeTimeoutMs: 200,
  }, echo);
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port });
  try {
    // The start of a handshake record holding a ClientHello of 226 bytes; the rest never comes.
    await conn.write(new Uint8Array([22, 3, 1, 0, 230, 1, 0, 0, 226, 3, 3]));
    const guard = setTimeout(() => conn.close(), 10_000); // a hang fails the read below
    assert.equal(await conn.read(new Uint8Array(1024)), null, "the server closed it");
    clearTimeout(guard);
    assert.ok(refusals.some((r) => /TLS handshake timeout/.test(r)), refusals.join("\n"));
    useClientTls({ ca: ca.cert });
    assert.equal(
      await (await nodeFetch(`https://127.0.0.1:${server.addr.port}/x`)).text(),
      "path /x",
    );
  } finally {
    conn.close();
    closeSessions();
    useClientTls(undefined);
    await server.shutdown();
  }
});
