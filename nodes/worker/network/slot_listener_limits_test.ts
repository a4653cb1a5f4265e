/**
 * A slot's data listener guards its door as a worker's data port does: a
 * dialer proves the cluster secret, each peer address holds a bounded number
 * of streams, and a stream names its channel within the first-frame deadline.
 * Real HTTP/2 on loopback; the refusals reach the dialer with their reason.
 */

import assert from "node:assert/strict";
import { ClusterSecret } from "../../rpc/auth/cluster_secret.ts";
import { provePeer } from "../../rpc/auth/peer_proof.ts";
import { closeSessions, postStream } from "../../rpc/h2_client.ts";
import type { ChannelEndpoint } from "./channel.ts";
import { PARTITION_PATH, type SlotDataListen, SlotDataPlane } from "./direct_channels.ts";

const secret = await ClusterSecret.fromText("the-right-cluster-secret-0123456789", "test");
const wrong = await ClusterSecret.fromText("a-wrong-cluster-secret-0123456789ab", "test");
const LIMITS = { firstFrameTimeoutMs: 300, maxStreamsPerPeer: 1, partitionRequestTimeoutMs: 5000 };

/** A listening slot with `secret` and the limits above; and a dialing slot with `dialSecret`. */
async function slots(dialSecret: ClusterSecret | undefined) {
  const listen: SlotDataListen = {
    hostname: "127.0.0.1",
    advertisedHost: "127.0.0.1",
    secretKey: secret.key,
    limits: LIMITS,
  };
  const server = new SlotDataPlane();
  const address = await server.listen(listen);
  const dialer = new SlotDataPlane();
  dialer.configure({ ...listen, secretKey: dialSecret?.key });
  return { server, address, dialer, listen };
}

/** The first error `consumer` reports. */
function firstError(consumer: ChannelEndpoint): Promise<string> {
  return new Promise((resolve) => consumer.onMessage((m) => m.t === "error" && resolve(m.message)));
}

Deno.test("slot listener: a dialer with the right secret gets its channel's data", async () => {
  const { server, address, dialer, listen } = await slots(secret);
  try {
    const { port1 } = new MessageChannel();
    const producer = server.producer("ok.0.1.0.0", port1, listen);
    producer.send({ t: "end" });
    const consumer = dialer.consumer("ok.0.1.0.0", address);
    const first = await new Promise((resolve) => consumer.onMessage(resolve));
    assert.deepEqual(first, { t: "end" });
    consumer.close();
    port1.close();
  } finally {
    closeSessions();
    await server.close();
  }
});

Deno.test("slot listener: a wrong secret or none is refused with the reason", async () => {
  for (
    const [dialSecret, reason] of [
      [wrong, /HTTP 401 .*refused: a wrong cluster secret/],
      [undefined, /HTTP 401 .*refused: no proof of the cluster secret/],
    ] as const
  ) {
    const { server, address, dialer, listen } = await slots(dialSecret);
    try {
      const { port1 } = new MessageChannel();
      server.producer("auth.0.1.0.0", port1, listen);
      const consumer = dialer.consumer("auth.0.1.0.0", address);
      assert.match(await firstError(consumer), reason);
      consumer.close();
      port1.close();
    } finally {
      closeSessions();
      await server.close();
    }
  }
});

Deno.test("slot listener: one stream beyond the per-peer limit is refused (429)", async () => {
  const { server, address, dialer, listen } = await slots(secret);
  try {
    const ports = [new MessageChannel(), new MessageChannel()];
    const producer = server.producer("lim.0.1.0.0", ports[0].port1, listen);
    server.producer("lim.0.1.1.0", ports[1].port1, listen);
    producer.send({ t: "watermark", ts: 1 });
    const held = dialer.consumer("lim.0.1.0.0", address); // stays open: no end is sent
    const messages: string[] = [];
    await new Promise<void>((resolve) =>
      held.onMessage((m) => {
        messages.push(m.t);
        resolve();
      })
    );
    const second = dialer.consumer("lim.0.1.1.0", address);
    assert.match(
      await firstError(second),
      /HTTP 429 too many open data streams from 127\.0\.0\.1 \(limit 1\)/,
    );
    second.close();
    assert.deepEqual(messages, ["watermark"], "the admitted stream is untouched");
    held.close();
    for (const c of ports) c.port1.close();
  } finally {
    closeSessions();
    await server.close();
  }
});

Deno.test("slot listener: a stream that names no channel within the deadline is refused", async () => {
  const { server, address } = await slots(undefined);
  try {
    // The secret is checked first: the raw dial proves it, then sends nothing.
    const proof = await provePeer(address, secret, "data");
    const silent = new ReadableStream<Uint8Array>({});
    const res = await postStream(address, PARTITION_PATH, silent, proof.headers);
    const text = await new Response(res.body).text();
    assert.equal(res.status, 400);
    assert.match(text, /no subscribe frame within 300 ms/);
  } finally {
    closeSessions();
    await server.close();
  }
});
