import assert from "node:assert/strict";
import { channelContract } from "../../../tests/_suites/channel_contract.ts";
import { InSlotChannels } from "./in_slot_channel.ts";

channelContract("in-slot channel", () => {
  const channels = new InSlotChannels();
  const consumer = channels.claim("j.1.0.0.0", "consumer");
  return { producer: channels.claim("j.1.0.0.0", "producer"), consumer };
});

Deno.test("in-slot channel: messages sent before the other end listens wait for it", async () => {
  const channels = new InSlotChannels();
  const producer = channels.claim("c", "producer");
  producer.send({ t: "watermark", ts: 1 });
  producer.send({ t: "end" });
  const consumer = channels.claim("c", "consumer");
  const got: string[] = [];
  const done = new Promise<void>((resolve) =>
    consumer.onMessage((m) => {
      got.push(m.t);
      if (m.t === "end") resolve();
    })
  );
  await done;
  assert.deepEqual(got, ["watermark", "end"]);
});

Deno.test("in-slot channel: each end is claimed once", () => {
  const channels = new InSlotChannels();
  channels.claim("job.1.2.0.0", "producer");
  assert.throws(() => channels.claim("job.1.2.0.0", "producer"), /producer end claimed twice/);
});

Deno.test("in-slot channel: once both ends are claimed the id is free: a new claim makes a new pair", async () => {
  const channels = new InSlotChannels();
  const oldProducer = channels.claim("job.1.2.0.0", "producer");
  const oldConsumer = channels.claim("job.1.2.0.0", "consumer");
  const consumer = channels.claim("job.1.2.0.0", "consumer");
  assert.throws(() => channels.claim("job.1.2.0.0", "consumer"), /consumer end claimed twice/);
  const producer = channels.claim("job.1.2.0.0", "producer");
  const received = (end: typeof consumer) => {
    const got: unknown[] = [];
    return new Promise<unknown[]>((resolve) =>
      end.onMessage((m) => {
        got.push(m);
        if (m.t === "end") resolve(got);
      })
    );
  };
  const fresh = received(consumer), old = received(oldConsumer);
  producer.send({ t: "watermark", ts: 2 });
  producer.send({ t: "end" });
  oldProducer.send({ t: "watermark", ts: 1 });
  oldProducer.send({ t: "end" });
  // Each pair carries its own messages only.
  assert.deepEqual(await fresh, [{ t: "watermark", ts: 2 }, { t: "end" }]);
  assert.deepEqual(await old, [{ t: "watermark", ts: 1 }, { t: "end" }]);
});
