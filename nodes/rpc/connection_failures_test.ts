/**
 * Dialing a peer fails with the address and the reason: nothing listening, a
 * server that refuses the connect request, a peer that never says hello.
 * A peer that breaks the protocol gets an error frame naming the break and
 * its connection closed. Real HTTP/2 on loopback, real actor systems.
 */

import assert from "node:assert/strict";
import { ActorSystem } from "./actor_system.ts";
import { encodeFrame, type Frame, FRAME_VERSION, readFrames } from "./frames.ts";
import { closeSessions, postStream } from "./h2_client.ts";
import { acceptConnection, dialConnection, RPC_CONNECT_PATH } from "./transport_http2.ts";
import type { RemoteConnection } from "./remote_connection.ts";

/** A loopback server answering the connect path with `handler`. */
async function withServer(
  handler: (req: Request) => Response | Promise<Response>,
  test: (url: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, handler);
  try {
    await test(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    closeSessions();
    await server.shutdown();
  }
}

Deno.test("dial: nothing listening on the port is a connect failure naming the address", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  const caller = new ActorSystem("caller", { verbose: false });
  try {
    await assert.rejects(
      dialConnection(url, caller, { connectTimeoutMs: 5_000 }),
      new RegExp(`^Error: connect to ${url} failed: .*(ECONNREFUSED|refused)`, "i"),
    );
  } finally {
    closeSessions();
    await caller.shutdown();
  }
});

Deno.test("dial: a refused connect request fails with the status and the server's reason", async () => {
  const caller = new ActorSystem("caller", { verbose: false });
  try {
    await withServer(
      () => Response.json({ errors: ["not a cluster member"] }, { status: 403 }),
      async (url) => {
        await assert.rejects(
          dialConnection(url, caller),
          (e: Error) => e.message === `connect to ${url} failed: HTTP 403 not a cluster member`,
        );
      },
    );
  } finally {
    await caller.shutdown();
  }
});

Deno.test("dial: a peer that answers but never says hello times out", async () => {
  const caller = new ActorSystem("caller", { verbose: false });
  try {
    await withServer(
      () => new Response(new ReadableStream()), // headers, then nothing (cancelled on shutdown)
      async (url) => {
        await assert.rejects(
          dialConnection(url, caller, { connectTimeoutMs: 300 }),
          (e: Error) => e.message === `connect to ${url} timed out after 300 ms`,
        );
      },
    );
  } finally {
    await caller.shutdown();
  }
});

/** Sends `frames` on a raw connect stream to a real actor system; returns what it answered. */
async function answerTo(frames: Frame[]): Promise<Frame[]> {
  const target = new ActorSystem("target", { verbose: false });
  const accepted: RemoteConnection[] = [];
  const received: Frame[] = [];
  try {
    await withServer(
      (req) => acceptConnection(req, target, (c) => accepted.push(c)),
      async (url) => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const f of frames) controller.enqueue(encodeFrame(f));
            // Left open: the server, not the end of the request, must close the connection.
          },
        });
        const res = await postStream(url, RPC_CONNECT_PATH, body);
        assert.equal(res.status, 200);
        for await (const f of readFrames(res.body)) received.push(f);
      },
    );
  } finally {
    for (const c of accepted) c.close();
    await target.shutdown();
  }
  return received;
}

const tell: Frame = { v: FRAME_VERSION, t: "tell", to: "/user/x", msg: 1 };

Deno.test("a peer that breaks the protocol gets an error frame naming the break, then the close", async () => {
  const cases: [Frame[], string][] = [
    [[tell], "'tell' before hello"],
    [[{ v: FRAME_VERSION, t: "hello", name: "p" }], "hello without a system id"],
    [[{ v: FRAME_VERSION, t: "gossip" }], "unknown frame type 'gossip'"],
    [
      [{ v: FRAME_VERSION, t: "hello", sys: "s1" }, { ...tell, to: 7 }],
      "'tell' without a target path",
    ],
    [
      [{ v: FRAME_VERSION, t: "hello", sys: "s1" }, { v: FRAME_VERSION, t: "ask", to: "/user/x" }],
      "ask without a numeric id",
    ],
    [
      [{ v: FRAME_VERSION, t: "hello", sys: "s1" }, {
        v: FRAME_VERSION,
        t: "error",
        message: "bye",
      }],
      "peer reported: bye",
    ],
  ];
  for (const [frames, message] of cases) {
    const answer = await answerTo(frames);
    assert.deepEqual(answer.map((f) => f.t), ["hello", "error"], message);
    assert.equal(answer[1].message, message);
  }
});
