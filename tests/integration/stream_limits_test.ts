/**
 * The bounds of accepted streams on a master's RPC endpoint and a worker's
 * data endpoint: a stream that sends no valid first frame is closed with an
 * error at the deadline, one that hangs up before its producer is deployed is
 * answered at once, and a peer beyond its open-stream limit is refused (429)
 * until one of its streams closes.
 */

import assert from "node:assert/strict";
import { startMaster } from "../../nodes/master/master_process.ts";
import { startWorker } from "../../nodes/worker/worker_process.ts";
import { encodeFrame, type Frame, readFrames } from "../../nodes/rpc/frames.ts";
import { channelIdOf } from "../../nodes/protocol/ids.ts";
import { freePort, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { client } from "../_helpers/fuzz_cases.ts";

const DEADLINE_MS = 300;
const PER_PEER = 2;
const LIMITS = { firstFrameTimeoutMs: DEADLINE_MS, maxStreamsPerPeer: PER_PEER };

/** A stream whose request body stays open until `end()`. */
function openStream(url: string, first?: Uint8Array) {
  let body!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      body = c;
      if (first) c.enqueue(first);
    },
  });
  const t0 = performance.now();
  const res = fetch(url, { method: "POST", body: stream, client, duplex: "half" } as RequestInit);
  return {
    res,
    end: () => body.close(),
    /** All frames of the response and when it ended (ms after opening). */
    async frames(): Promise<{ frames: Frame[]; ms: number }> {
      const r = await res;
      assert.equal(r.status, 200);
      const frames: Frame[] = [];
      for await (const f of readFrames(r.body!)) frames.push(f);
      return { frames, ms: performance.now() - t0 };
    },
  };
}

const errorOf = (frames: Frame[]) => frames.find((f) => f.t === "error")?.message;
const hello = () => encodeFrame({ v: 1, t: "hello", sys: "limits", name: "limits" });
const subscribe = (n: number) =>
  encodeFrame({ v: 1, t: "subscribe", channel: channelIdOf("0".repeat(32), 0, 1, n, 0) });

async function withCluster(
  run: (rpcUrl: string, dataUrl: string) => Promise<void>,
): Promise<void> {
  const master = await startMaster({ port: freePort(), streamLimits: LIMITS });
  const worker = await startWorker({
    masterUrl: master.url,
    slots: 1,
    managedMemoryBytes: 1 << 20,
    dataPort: freePort(),
    streamLimits: LIMITS,
  });
  try {
    await worker.registered();
    await run(`${master.url}/rpc/v1/connect`, `${worker.dataAddress}/data/v1/partition`);
  } finally {
    await worker.shutdown();
    await master.shutdown();
  }
}

Deno.test("a stream without a valid first frame is closed with an error at the deadline", async () => {
  await withCluster(async (rpcUrl, dataUrl) => {
    for (
      const [url, why] of [[rpcUrl, /no hello within 300 ms/], [
        dataUrl,
        /no subscribe frame within 300 ms/,
      ]] as const
    ) {
      const s = openStream(url);
      const { frames, ms } = await s.frames();
      assert.match(String(errorOf(frames)), why);
      assert.ok(ms >= DEADLINE_MS - 5, `closed after ${ms} ms, before the deadline`);
      s.end();
    }
  });
});

Deno.test("a data stream that hangs up before its producer is deployed is answered at once", async () => {
  await withCluster(async (_rpcUrl, dataUrl) => {
    const s = openStream(dataUrl, subscribe(0));
    s.end();
    const { frames } = await s.frames();
    assert.match(
      String(errorOf(frames)),
      /the stream ended before the producer of channel .* was deployed/,
    );
  });
});

Deno.test("a peer may hold only so many streams open; a closed one frees its place", async () => {
  await withCluster(async (rpcUrl, dataUrl) => {
    // The worker's own connection to the master comes from this address too.
    const cases = [
      { url: rpcUrl, first: hello, held: PER_PEER - 1, what: "RPC" },
      { url: dataUrl, first: () => subscribe(1), held: PER_PEER, what: "data" },
    ];
    for (const c of cases) {
      const open = Array.from({ length: c.held }, () => openStream(c.url, c.first()));
      for (const s of open) assert.equal((await s.res).status, 200);
      const refused = await fetch(
        c.url,
        { method: "POST", body: c.first(), client } as RequestInit,
      );
      assert.equal(refused.status, 429);
      assert.match(
        await refused.text(),
        new RegExp(`too many open ${c.what} streams .* \\(limit ${PER_PEER}\\)`),
      );
      open[0].end();
      await open[0].frames();
      // Its place is free once the server saw it close.
      let again: ReturnType<typeof openStream> | undefined;
      await waitFor(`a place for a ${c.what} stream`, async () => {
        const s = openStream(c.url, c.first());
        const r = await s.res;
        if (r.status === 200) again = s;
        else await r.body?.cancel();
        return again !== undefined;
      }, 5_000);
      for (const s of [...open.slice(1), again!]) {
        s.end();
        await s.frames();
      }
    }
  });
});

Deno.test("spate master --first-frame-timeout and --max-streams-per-peer reach the server", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const master = spawnSpate([
    "master",
    "--port",
    String(port),
    "--first-frame-timeout",
    "200",
    "--max-streams-per-peer",
    "1",
  ]);
  try {
    await waitFor("the master to serve", async () => (await fetch(`${url}/api/v1/overview`)).ok);
    const silent = openStream(`${url}/rpc/v1/connect`);
    assert.equal((await silent.res).status, 200);
    const second = await fetch(`${url}/rpc/v1/connect`, {
      method: "POST",
      body: hello(),
      client,
    } as RequestInit);
    assert.equal(second.status, 429);
    await second.body?.cancel();
    const { frames } = await silent.frames();
    assert.match(String(errorOf(frames)), /no hello within 200 ms/);
    silent.end();
  } finally {
    master.kill("SIGTERM");
    await master.child.status;
  }
});
