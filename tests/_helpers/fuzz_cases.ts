/**
 * The generated bad requests of the fuzz tests: broken frame streams for the
 * RPC and data endpoints and invalid REST requests, from a seeded generator.
 * @module
 */

import { encode } from "cbor-x";
import { encodeFrame, type Frame, readFrames } from "../../nodes/rpc/frames.ts";

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

/**
 * What the server must do with a stream case: close its response cleanly
 * (no error frame), or end it with an error frame whose message matches.
 */
export type StreamExpectation = "close" | RegExp;

/** A generated stream and the outcome the frame protocol prescribes for it. */
export interface StreamCase {
  readonly bytes: Uint8Array;
  readonly expect: StreamExpectation;
  /** Which generator branch made it. */
  readonly kind: string;
}

/** Any error a broken frame gets (frames.ts, remote_connection.ts). */
const FRAME_ERROR =
  /exceeds the limit|empty frame|ended inside a frame|undecodable CBOR|must be a CBOR map|unsupported frame version|without a string type|unknown frame type|before hello|without a target path|without a numeric id/;
const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/** The outcome of raw bytes where a frame should start, read from the length prefix alone. */
function noiseExpectation(b: Uint8Array, data: boolean): StreamExpectation {
  if (b.length === 0) return data ? /must start with a subscribe frame/ : "close";
  if (b.length < 4) return /ended inside a frame/;
  const declared = new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
  if (declared > MAX_FRAME_BYTES) return /exceeds the limit/;
  if (declared === 0) return /empty frame/;
  if (declared > b.length - 4) return /ended inside a frame/;
  return data ? new RegExp(`${FRAME_ERROR.source}|must start with a subscribe`) : FRAME_ERROR;
}

/** A byte stream for the RPC or data endpoint: mostly broken, sometimes nearly right. */
export function streamCase(rnd: Rnd, data: boolean): Uint8Array {
  return expectedStreamCase(rnd, data).bytes;
}

/** Like {@linkcode streamCase}, with the outcome the server owes it. */
export function expectedStreamCase(rnd: Rnd, data: boolean): StreamCase {
  const hello = encodeFrame({ v: 1, t: "hello", sys: "fuzz", name: "fuzz" });
  const subscribe = encodeFrame({ v: 1, t: "subscribe", channel: "no.such.channel" });
  const prefix = data
    ? (rnd() < 0.3 ? subscribe : new Uint8Array())
    : (rnd() < 0.6 ? hello : new Uint8Array());
  const greeted = prefix.length > 0;
  const [kind, tail, tailExpect] = ((): [string, Uint8Array, StreamExpectation] => {
    switch (Math.floor(rnd() * 7)) {
      case 0: {
        const b = randomBytes(rnd, 300);
        return ["noise", b, noiseExpectation(b, data)];
      }
      case 1:
        return ["oversized", rawFrame(randomBytes(rnd, 50), 0xffffffff), /exceeds the limit/];
      case 2:
        return [
          "truncated",
          encodeFrame({ v: 1, t: "tell", to: "/user/x", msg: 1 }).subarray(0, 6),
          /ended inside a frame/,
        ];
      case 3:
        return [
          "version",
          rawFrame(encode({ v: Math.floor(rnd() * 5) + 2, t: "tell" })),
          /unsupported frame version/,
        ];
      case 4: {
        const t = pick(rnd, ["boom", "", "credit", "buffer", "reply"]);
        return [
          "type",
          rawFrame(encode({ v: 1, t, n: -1 })),
          data
            ? /must start with a subscribe frame/
            : t !== "reply"
            ? /unknown frame type/
            : greeted
            ? "close" // a reply to no pending ask is dropped
            : /before hello/,
        ];
      }
      case 5:
        return ["not-a-frame", rawFrame(encode(randomValue(rnd))), FRAME_ERROR];
      default: {
        const to = pick(rnd, ["/user/dispatcher", "/user/resourcemanager", "/user/nope", 5]);
        const frame = rawFrame(encode({
          v: 1,
          t: pick(rnd, ["tell", "ask"]),
          id: Math.floor(rnd() * 100),
          to,
          msg: randomValue(rnd),
        }));
        return [
          "message",
          frame,
          data
            ? /must start with a subscribe frame/
            : !greeted
            ? /before hello/
            : typeof to === "string"
            ? "close" // delivered, dead-lettered or answered, then the body ends
            : /without a target path/,
        ];
      }
    }
  })();
  const out = new Uint8Array(prefix.length + tail.length);
  out.set(prefix);
  out.set(tail, prefix.length);
  // A data stream naming a malformed channel is refused; a broken frame in
  // the same chunk may be read first.
  const expect: StreamExpectation = !data || !greeted
    ? tailExpect
    : tail.length === 0
    ? /is no channel id/
    : new RegExp(
      `is no channel id|${tailExpect === "close" ? FRAME_ERROR.source : tailExpect.source}`,
    );
  return { bytes: out, expect, kind: `${greeted ? (data ? "subscribe+" : "hello+") : ""}${kind}` };
}

/** A generated REST request and the status the API owes it; `kind` names its branch. */
export interface RestCase {
  readonly kind: string;
  readonly expect: number;
  readonly method: string;
  readonly path: string;
  readonly body?: Uint8Array | string;
}

export function restCase(rnd: Rnd): RestCase {
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
  // Not runnable even unmutated: no blob has this key.
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
  const post = (kind: string, body: Uint8Array | string): RestCase => ({
    kind,
    expect: 400,
    method: "POST",
    path: "/api/v1/jobs",
    body,
  });
  switch (Math.floor(rnd() * 9)) {
    case 0:
      return post("bytes-job", randomBytes(rnd, 200));
    case 1:
      return post("json-job", JSON.stringify(randomValue(rnd)));
    case 2:
    case 3:
      return post("mutated-job", mutated());
    case 4: {
      // Only cancel is a mode; cancelling a job that does not exist is 404.
      const mode = pick(rnd, ["cancel", "stop", ""]);
      return {
        kind: "patch-job",
        expect: mode === "cancel" ? 404 : 400,
        method: "PATCH",
        path: `/api/v1/jobs/${pick(rnd, ["x", "0".repeat(32), "%00"])}?mode=${mode}`,
      };
    }
    case 5: {
      const path = pick(rnd, [
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
      ]);
      // The dashboard's page is the only thing here.
      return { kind: "get", expect: path === "/" ? 200 : 404, method: "GET", path };
    }
    case 6:
      return {
        kind: "method",
        expect: 404,
        method: pick(rnd, ["DELETE", "PUT", "OPTIONS"]),
        path: pick(rnd, ["/api/v1/jobs", "/api/v1/overview"]),
      };
    case 7: {
      // Savepoint and stop requests for jobs that do not exist (the running job must go on):
      // a malformed body is 400, a well-formed one 404.
      const route = pick(rnd, ["savepoints", "stop"]);
      const [flag, other] = route === "stop" ? ["drain", "cancelJob"] : ["cancelJob", "drain"];
      const [body, expect] = pick(rnd, [
        () => ["{" + new TextDecoder().decode(randomBytes(rnd, 100)), 400],
        () => [JSON.stringify(pick(rnd, [[1], "x", 5, null, true])), 400],
        () => [JSON.stringify({ targetDirectory: pick(rnd, [5, [], {}, false]) }), 400],
        // Each route reads only its own flag (savepoints: cancelJob, stop: drain).
        () => [JSON.stringify({ [flag]: pick(rnd, ["yes", 1, {}]) }), 400],
        () => [JSON.stringify({ [other]: pick(rnd, ["yes", 1, []]) }), 404],
        () => [pick(rnd, ["", "{}", JSON.stringify({ cancelJob: false, drain: true })]), 404],
      ] as (() => [string, number])[])();
      return {
        kind: "savepoint-stop",
        expect,
        method: "POST",
        path: `/api/v1/jobs/${pick(rnd, ["x", "0".repeat(32), "%00"])}/${route}`,
        body,
      };
    }
    default:
      return {
        kind: "blob",
        expect: 201,
        method: "PUT",
        path: "/api/v1/blobs",
        body: randomBytes(rnd, 1000),
      };
  }
}

/** An HTTP/2-only client for cleartext ports (h2c, prior knowledge). */
export const client = Deno.createHttpClient({ http1: false, http2: true });

/** What the server did with one stream. */
export interface StreamOutcome {
  readonly status: number;
  /** The frames of the response (an HTTP error: none). */
  readonly frames: readonly Frame[];
  /** Set when the response stream broke or did not end within the bound. */
  readonly failure?: string;
  /** From sending the request to the end of the response. */
  readonly ms: number;
}

/**
 * Sends one stream case and reads the whole response, for at most
 * `boundMs`: a server that holds the stream open longer shows as a failure.
 */
export async function sendStreamFor(
  url: string,
  bytes: Uint8Array,
  boundMs: number,
  httpClient: Deno.HttpClient = client,
): Promise<StreamOutcome> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), boundMs);
  const t0 = performance.now();
  let status = 0;
  const frames: Frame[] = [];
  try {
    const res = await fetch(url, {
      method: "POST",
      body: bytes as Uint8Array<ArrayBuffer>,
      client: httpClient,
      signal: abort.signal,
    } as RequestInit);
    status = res.status;
    if (res.status !== 200 || res.body === null) await res.arrayBuffer();
    else for await (const f of readFrames(res.body)) frames.push(f);
    return { status, frames, ms: performance.now() - t0 };
  } catch (e) {
    const failure = (e as Error).name === "AbortError"
      ? `held open past ${boundMs} ms`
      : `broken: ${(e as Error).message}`;
    return { status, frames, failure, ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** Why `outcome` is not the one `expect` prescribes, or undefined when it is. */
export function streamMismatch(
  outcome: StreamOutcome,
  expect: StreamExpectation,
): string | undefined {
  if (outcome.failure !== undefined) return outcome.failure;
  if (outcome.status !== 200) return `HTTP ${outcome.status}`;
  const errors = outcome.frames.filter((f) => f.t === "error").map((f) => String(f.message));
  if (expect === "close") {
    return errors.length === 0 ? undefined : `closed with error '${errors.join("; ")}'`;
  }
  if (errors.length !== 1) {
    return `expected one error frame matching ${expect}, got ${errors.length}`;
  }
  return expect.test(errors[0]) ? undefined : `error '${errors[0]}' does not match ${expect}`;
}

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
