import assert from "node:assert/strict";
import { channelContract } from "../../../tests/_suites/channel_contract.ts";
import { closeSessions } from "../../rpc/h2_client.ts";
import { SlotDataPlane } from "./direct_channels.ts";

// A slot's listener on loopback, real HTTP/2: the consumer dials the producer's slot itself.
const plane = new SlotDataPlane();
const listen = { hostname: "127.0.0.1", advertisedHost: "127.0.0.1" };
const address = await plane.listen(listen);
let next = 0;

channelContract("direct HTTP/2 stream between slots", () => {
  const channelId = `job.0.1.${next++}.0`;
  const { port1 } = new MessageChannel();
  const producer = plane.producer(channelId, port1, listen);
  return { producer, consumer: plane.consumer(channelId, address) };
});

Deno.test("a direct consumer of an unknown channel gets an error naming it", async () => {
  const consumer = plane.consumer("nobody.0.9.9.9", address);
  const message = await new Promise<string>((resolve) =>
    consumer.onMessage((m) => m.t === "error" && resolve(m.message))
  );
  assert.match(message, /nobody\.0\.9\.9\.9.*HTTP 404/);
  consumer.close();
});

Deno.test("a direct stream that names no well-formed channel is refused (400)", async () => {
  const consumer = plane.consumer("not a channel id", address);
  const message = await new Promise<string>((resolve) =>
    consumer.onMessage((m) => m.t === "error" && resolve(m.message))
  );
  assert.match(message, /HTTP 400/);
  consumer.close();
});

Deno.test("a direct consumer of a slot that stopped listening gets an error", async () => {
  closeSessions();
  await plane.close();
  const consumer = plane.consumer("after.0.1.1.1", address);
  const message = await new Promise<string>((resolve) =>
    consumer.onMessage((m) => m.t === "error" && resolve(m.message))
  );
  assert.match(message, /after\.0\.1\.1\.1/);
  consumer.close();
  closeSessions();
});
