import assert from "node:assert/strict";
import {
  encodeFrame,
  FRAME_VERSION,
  FrameDecoder,
  FrameError,
  FrameStream,
  readFrames,
} from "./frames.ts";
import { encode } from "cbor-x";

Deno.test("frames round-trip across arbitrary chunk boundaries", () => {
  const frames = [
    { v: FRAME_VERSION, t: "hello", name: "wörker" },
    { v: FRAME_VERSION, t: "buffer", data: new Uint8Array([1, 2, 3]), records: 3 },
    { v: FRAME_VERSION, t: "credit", n: 8 },
  ];
  const bytes = new Uint8Array(frames.flatMap((f) => [...encodeFrame(f)]));
  for (const step of [1, 2, 3, 7, bytes.length]) {
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < bytes.length; i += step) got.push(...d.push(bytes.subarray(i, i + step)));
    assert.deepEqual(got, frames);
    assert.equal(d.pendingBytes, 0);
  }
});

Deno.test("broken frames are FrameErrors", () => {
  const withLen = (body: Uint8Array) => {
    const out = new Uint8Array(4 + body.length);
    new DataView(out.buffer).setUint32(0, body.length);
    out.set(body, 4);
    return out;
  };
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array([0xff, 0xff, 0xff, 0xff]), /exceeds the limit/],
    [new Uint8Array([0, 0, 0, 0]), /empty frame/],
    [withLen(new Uint8Array([0xff, 0xfe])), /undecodable|must be a CBOR map/],
    [withLen(encode([1, 2])), /must be a CBOR map/],
    [withLen(encode({ v: 2, t: "x" })), /unsupported frame version 2/],
    [withLen(encode({ v: 1, t: 5 })), /string type/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => new FrameDecoder(1024).push(bytes), (e: unknown) => {
      assert.ok(e instanceof FrameError);
      assert.match((e as Error).message, message);
      return true;
    });
  }
  assert.throws(
    () => encodeFrame({ v: 1, t: "big", data: new Uint8Array(2000) }, 1024),
    /exceeds 1024/,
  );
});

Deno.test("a stream that ends mid-frame is reported as truncated", async () => {
  const full = encodeFrame({ v: 1, t: "x", pad: "y".repeat(100) });
  const stream = ReadableStream.from([full.subarray(0, 50)]);
  await assert.rejects(async () => {
    for await (const _ of readFrames(stream)) { /* nothing completes */ }
  }, /ended inside a frame/);
});

Deno.test("writeBuffer frames decode like written ones, payload in a buffer of its own", async () => {
  const out = new FrameStream();
  const payload = Uint8Array.from({ length: 40_000 }, (_, i) => i % 251);
  out.writeBuffer(payload, 1234);
  out.write({ v: FRAME_VERSION, t: "credit", n: 2 });
  out.writeBuffer(new Uint8Array(0), 0);
  out.close();
  const bytes = new Uint8Array(await new Response(out.readable).arrayBuffer());
  for (const step of [7, 16_384, bytes.length]) {
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < bytes.length; i += step) got.push(...d.push(bytes.slice(i, i + step)));
    assert.deepEqual(got, [
      { v: FRAME_VERSION, t: "buffer", records: 1234, data: payload },
      { v: FRAME_VERSION, t: "credit", n: 2 },
      { v: FRAME_VERSION, t: "buffer", records: 0, data: new Uint8Array(0) },
    ]);
    const data = got[0].data as Uint8Array;
    assert.equal(data.buffer.byteLength, data.byteLength, "the payload owns its buffer");
  }
  // The same frame through cbor-x decodes to the same fields.
  const cbor = new FrameDecoder();
  const [viaCbor] = cbor.push(
    encodeFrame({ v: FRAME_VERSION, t: "buffer", data: payload, records: 1234 }),
  );
  assert.deepEqual(viaCbor, { v: FRAME_VERSION, t: "buffer", records: 1234, data: payload });
  const big = new FrameStream(1024);
  assert.throws(() => big.writeBuffer(new Uint8Array(2000), 1), /exceeds 1024/);
});
