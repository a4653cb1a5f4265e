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
  channels.claim("job.1.2.0.0", "consumer");
  // Both ends taken: the id is free again.
  channels.claim("job.1.2.0.0", "consumer");
});
