// The JetStream benchmark's baseline: the nats.js client's own loop. It
// consumes stream <in-stream> (an ordered pull consumer, `consume` with
// <batch> messages per pull) and publishes each message to <out-subject>
// with a de-duplication id (`js.publish`, a promise per message), keeping
// up to <window> publishes unacknowledged (spate's sink default) and
// awaiting the oldest batch of <batch> beyond that.
// Usage: jetstream_raw_relay.ts SERVER IN_STREAM OUT_SUBJECT BATCH WINDOW
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";

const [server, inStream, outSubject, batch, window] = Deno.args;
const max = Number(batch), maxBatches = Math.max(1, Number(window) / max);
const nc = await connect({ servers: server });
const js = jetstream(nc);
const consumer = await js.consumers.get(inStream);
const inFlight: Promise<unknown>[] = [];
let acks: Promise<unknown>[] = [];
for await (const m of await consumer.consume({ max_messages: max })) {
  acks.push(js.publish(outSubject, m.data, { msgID: `raw-${m.seq}` }));
  if (acks.length >= max || m.info.pending === 0) {
    inFlight.push(Promise.all(acks));
    acks = [];
    if (inFlight.length > maxBatches || m.info.pending === 0) await inFlight.shift();
  }
}
