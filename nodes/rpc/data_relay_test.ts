import assert from "node:assert/strict";
import { DataRelay, RELAY_PATH, relayOpenFrame } from "./data_relay.ts";
import { type Frame, FRAME_VERSION, FrameStream, readFrames } from "./frames.ts";

const SETTINGS = {
  maxFrameBytes: 1 << 20,
  partitionRequestTimeoutMs: 200,
  firstFrameTimeoutMs: 200,
  maxStreamsPerPeer: 2,
};

/** One end's stream into `relay` from `peer`: what it sends, and the response. */
function dial(relay: DataRelay, peer: string, first?: Frame) {
  const up = new FrameStream();
  if (first !== undefined) up.write(first);
  const req = new Request(`http://relay${RELAY_PATH}`, {
    method: "POST",
    body: up.readable,
    duplex: "half",
  } as RequestInit);
  return { up, res: relay.serve(req, {}, peer) };
}

async function framesOf(res: Response): Promise<Frame[]> {
  const out: Frame[] = [];
  for await (const f of readFrames(res.body!)) out.push(f);
  return out;
}

Deno.test("relay: data one way and credits the other, in order, between the paired ends", async () => {
  const relay = new DataRelay(SETTINGS);
  const producer = dial(relay, "a", relayOpenFrame("publish", "c.0.1.0.0"));
  const consumer = dial(relay, "b", relayOpenFrame("subscribe", "c.0.1.0.0"));
  consumer.up.write({ v: FRAME_VERSION, t: "credit", n: 2 });
  producer.up.writeBuffer(new Uint8Array([1, 2, 3]), 3);
  producer.up.write({ v: FRAME_VERSION, t: "watermark", ts: 7 });
  producer.up.write({ v: FRAME_VERSION, t: "end" });
  const down = await framesOf(consumer.res);
  assert.deepEqual(down.map((f) => f.t), ["buffer", "watermark", "end"]);
  assert.deepEqual([...(down[0].data as Uint8Array)], [1, 2, 3]);
  consumer.up.close();
  producer.up.close();
  const credits = await framesOf(producer.res);
  assert.deepEqual(credits, [{ v: FRAME_VERSION, t: "credit", n: 2 }]);
  assert.equal(relay.paired, 1);
});

Deno.test("relay: an end whose partner never comes gets an error naming the channel", async () => {
  const relay = new DataRelay(SETTINGS);
  const lone = dial(relay, "a", relayOpenFrame("publish", "lone.0.1.0.0"));
  const frames = await framesOf(lone.res);
  assert.equal(frames.at(-1)?.t, "error");
  assert.match(
    String(frames.at(-1)?.message),
    /no consumer of channel lone\.0\.1\.0\.0 reached the relay within 200 ms/,
  );
  lone.up.close();
});

Deno.test("relay: a silent stream, a second end of one side and a third stream are refused", async () => {
  const relay = new DataRelay(SETTINGS);
  const silent = dial(relay, "a");
  assert.match(
    String((await framesOf(silent.res)).at(-1)?.message),
    /no publish or subscribe frame within 200 ms/,
  );
  silent.up.close();
  const first = dial(relay, "b", relayOpenFrame("publish", "d.0.1.0.0"));
  const twin = dial(relay, "b", relayOpenFrame("publish", "d.0.1.0.0"));
  assert.match(
    String((await framesOf(twin.res)).at(-1)?.message),
    /channel d\.0\.1\.0\.0 already has its publish end/,
  );
  const held = dial(relay, "c", relayOpenFrame("publish", "e.0.1.0.0"));
  dial(relay, "c", relayOpenFrame("publish", "f.0.1.0.0"));
  const third = dial(relay, "c", relayOpenFrame("publish", "g.0.1.0.0"));
  assert.equal(third.res.status, 429);
  assert.match(await third.res.text(), /too many open relayed data streams from c \(limit 2\)/);
  relay.close();
  for (const s of [first, twin, held]) s.up.close();
});
