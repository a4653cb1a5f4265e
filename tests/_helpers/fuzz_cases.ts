/**
 * The generated bad requests of the fuzz tests: broken frame streams for the
 * RPC and data endpoints and invalid REST requests, from a seeded generator.
 * @module
 */

import { encode } from "cbor-x";
import { encodeFrame } from "../../nodes/rpc/frames.ts";

export type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

export function randomBytes(rnd: Rnd, max: number): Uint8Array {
  const b = new Uint8Array(Math.floor(rnd() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

function rawFrame(body: Uint8Array, declared = body.length): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, declared);
  out.set(body, 4);
  return out;
}

function randomValue(rnd: Rnd, depth = 0): unknown {
  switch (Math.floor(rnd() * (depth > 2 ? 5 : 8))) {
    case 0:
      return Math.floor(rnd() * 2 ** 32) - 2 ** 31;
    case 1:
      return rnd() < 0.5 ? null : rnd() < 0.5;
    case 2:
      return pick(rnd, ["", "x", "submitJob", "allocateSlots", "credit", "../..", "é".repeat(50)]);
    case 3:
      return rnd() * 1e6;
    case 4:
      return randomBytes(rnd, 20);
    case 5:
      return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 4); i++) {
        o[pick(rnd, ["type", "t", "v", "to", "id", "msg", "n", "channel", "fence", "jobId", "x"])] =
          randomValue(
            rnd,
            depth + 1,
          );
      }
      return o;
    }
  }
}

/** A byte stream for the RPC or data endpoint: mostly broken, sometimes nearly right. */
export function streamCase(rnd: Rnd, data: boolean): Uint8Array {
  const hello = encodeFrame({ v: 1, t: "hello", sys: "fuzz", name: "fuzz" });
  const subscribe = encodeFrame({ v: 1, t: "subscribe", channel: "no.such.channel" });
  const prefix = data
    ? (rnd() < 0.3 ? subscribe : new Uint8Array())
    : (rnd() < 0.6 ? hello : new Uint8Array());
  const tail = (() => {
    switch (Math.floor(rnd() * 7)) {
      case 0:
        return randomBytes(rnd, 300); // noise
      case 1:
        return rawFrame(randomBytes(rnd, 50), 0xffffffff); // oversized length
      case 2:
        return encodeFrame({ v: 1, t: "tell", to: "/user/x", msg: 1 }).subarray(0, 6); // truncated
      case 3:
        return rawFrame(encode({ v: Math.floor(rnd() * 5) + 2, t: "tell" })); // unknown version
      case 4:
        return rawFrame(
          encode({ v: 1, t: pick(rnd, ["boom", "", "credit", "buffer", "reply"]), n: -1 }),
        );
      case 5:
        return rawFrame(encode(randomValue(rnd))); // not a frame map
      default:
        return rawFrame(encode({
          v: 1,
          t: pick(rnd, ["tell", "ask"]),
          id: Math.floor(rnd() * 100),
          to: pick(rnd, ["/user/dispatcher", "/user/resourcemanager", "/user/nope", 5]),
          msg: randomValue(rnd),
        }));
    }
  })();
  const out = new Uint8Array(prefix.length + tail.length);
  out.set(prefix);
  out.set(tail, prefix.length);
  return out;
}

export function restCase(rnd: Rnd): { method: string; path: string; body?: Uint8Array | string } {
  const graph = {
    jobName: "x",
    vertices: [{
      id: 1,
      name: "v",
      parallelism: 1,
      slotSharingGroup: "default",
      nodeIds: [1],
      inputs: [],
      outputs: [],
    }],
    edges: [],
  };
  const valid = {
    jobName: "fuzz",
    jobGraph: graph,
    job: {
      module: { kind: "blob", key: "0".repeat(64) },
      args: [],
      defaults: {},
      fingerprint: "f",
    },
    bufferTimeoutMs: 100,
  };
  const mutated = () => {
    const s = structuredClone(valid) as Record<string, unknown>;
    if (rnd() < 0.3) {
      (s.jobGraph as typeof graph).vertices[0].parallelism = pick(rnd, [0, -1, 1e9, 1.5]);
    }
    const keys = [
      "jobName",
      "jobGraph",
      "job",
      "bufferTimeoutMs",
      "restartStrategy",
      "slotTimeoutMs",
      "checkpointDir",
      "checkpointConfig",
      "restoreFrom",
      "network",
      "batch",
    ];
    s[pick(rnd, keys)] = randomValue(rnd);
    return JSON.stringify(s);
  };
  switch (Math.floor(rnd() * 9)) {
    case 0:
      return { method: "POST", path: "/api/v1/jobs", body: randomBytes(rnd, 200) };
    case 1:
      return { method: "POST", path: "/api/v1/jobs", body: JSON.stringify(randomValue(rnd)) };
    case 2:
    case 3:
      return { method: "POST", path: "/api/v1/jobs", body: mutated() };
    case 4:
      return {
        method: "PATCH",
        path: `/api/v1/jobs/${pick(rnd, ["x", "0".repeat(32), "%00"])}?mode=${
          pick(rnd, ["cancel", "stop", ""])
        }`,
      };
    case 5:
      return {
        method: "GET",
        path: pick(rnd, [
          "/api/v1/jobs/nope",
          "/api/v1/jobs/nope/plan",
          "/api/v1/jobs/nope/exceptions",
          "/api/v1/jobs/nope/vertices/%00",
          "/api/v1/jobs/nope/savepoints/zz",
          "/api/v1/taskmanagers/%00",
          "/api/v1/blobs/zz",
          "/api/v1/x",
          "/",
          "/rpc/v1/connect",
        ]),
      };
    case 6:
      return {
        method: pick(rnd, ["DELETE", "PUT", "OPTIONS"]),
        path: pick(rnd, ["/api/v1/jobs", "/api/v1/overview"]),
      };
    case 7:
      // Savepoint and stop requests for jobs that do not exist (the running job must go on).
      return {
        method: "POST",
        path: `/api/v1/jobs/${pick(rnd, ["x", "0".repeat(32), "%00"])}/${
          pick(rnd, ["savepoints", "stop"])
        }`,
        body: pick(rnd, [
          () => JSON.stringify(randomValue(rnd)),
          () => JSON.stringify({ targetDirectory: randomValue(rnd), cancelJob: randomValue(rnd) }),
          () => JSON.stringify({ targetDirectory: randomValue(rnd), drain: randomValue(rnd) }),
          () => new TextDecoder().decode(randomBytes(rnd, 100)),
        ])(),
      };
    default:
      return { method: "PUT", path: "/api/v1/blobs", body: randomBytes(rnd, 1000) };
  }
}

/** An HTTP/2-only client for cleartext ports (h2c, prior knowledge). */
export const client = Deno.createHttpClient({ http1: false, http2: true });

/**
 * Sends one stream case with `httpClient` (give one that trusts the CA for a
 * TLS port); resolves when the server closed its side (or after a short bound).
 */
export async function sendStream(
  url: string,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
  httpClient: Deno.HttpClient = client,
): Promise<string> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 2000);
  try {
    const res = await fetch(url, {
      method: "POST",
      body: bytes as Uint8Array<ArrayBuffer>,
      headers,
      client: httpClient,
      signal: abort.signal,
    } as RequestInit);
    await res.arrayBuffer();
    return `status ${res.status}`;
  } catch (e) {
    return (e as Error).name === "AbortError"
      ? "held open (aborted by the client)"
      : `closed: ${(e as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
