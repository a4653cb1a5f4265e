/**
 * The contract every channel transport honours (MessagePort, in-slot pairs): ordered delivery of buffers, the end marker after the last
 * buffer, and credit-based flow control that bounds both ends.
 * @module
 */

import assert from "node:assert/strict";
import { RecordBatchDecoder, RecordBatchEncoder } from "../../core/serde/record_batch.ts";
import {
  type ChannelEndpoint,
  isRecordArray,
  type NetworkSettings,
} from "../../nodes/worker/network/channel.ts";
import { InputGate } from "../../nodes/worker/network/input_gate.ts";
import { OutputAvailability } from "../../nodes/worker/network/output_availability.ts";
import { OutputChannel } from "../../nodes/worker/network/output_channel.ts";

/** Makes a connected (producer, consumer) endpoint pair; `close` frees it. */
export type ChannelFactory = () => { producer: ChannelEndpoint; consumer: ChannelEndpoint };

const SETTINGS: NetworkSettings = {
  bufferSizeBytes: 1024,
  bufferTimeoutMs: 100,
  creditsPerChannel: 3,
  creditsPerGate: 3,
  creditsPerRemoteChannel: 3,
  backlogBuffersPerChannel: 2,
  inSlotBatchRecords: 8,
  creditsPerInSlotChannel: 2,
  taskSliceMs: 5,
};

/** Resolves when `cond` holds; fails after `deadlineMs`. */
async function until(cond: () => boolean, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

async function drain(gate: InputGate, out: unknown[], decoder: RecordBatchDecoder) {
  for (;;) {
    const b = gate.poll();
    if (b !== undefined) {
      if (b.kind === "event") {
        if (b.event.t === "barrier") out.push(`barrier ${b.event.id}`);
        continue;
      }
      out.push(...(isRecordArray(b.data) ? b.data.values : decoder.decode(b.data)));
      gate.release(b);
      continue;
    }
    if (gate.finished) return;
    await gate.whenAvailable();
  }
}

export function channelContract(name: string, connect: ChannelFactory): void {
  Deno.test(`${name}: buffers arrive in order and the end marker comes last`, async () => {
    const { producer, consumer } = connect();
    const availability = new OutputAvailability();
    const out = new OutputChannel(producer, new RecordBatchEncoder(), SETTINGS, availability);
    const gate = new InputGate([consumer], SETTINGS);
    gate.start();
    const received: unknown[] = [];
    const done = drain(gate, received, new RecordBatchDecoder());
    const sent: unknown[] = [];
    for (let i = 0; i < 5000; i++) {
      await until(() => availability.available, "room at the output");
      const r = [`k${i}`, i, "é".repeat(i % 7)];
      sent.push(r);
      out.add(r, Number.NaN);
      if (i % 1000 === 999) {
        // A barrier never overtakes the records before it, credit or not.
        out.emitEvent({ t: "barrier", id: (i + 1) / 1000, timestampMs: 0, savepoint: false });
        sent.push(`barrier ${(i + 1) / 1000}`);
      }
    }
    out.end();
    await done;
    await out.drained();
    assert.deepEqual(received, sent);
    out.close();
    gate.close();
  });

  Deno.test(`${name}: credit bounds the consumer queue and the producer backlog`, async () => {
    const connected = connect();
    const { consumer } = connected;
    // Count from the consumer's first credit on: a transport that connects
    // later (a dialing producer, a relay) holds the first buffers back till then.
    let credited = false;
    const producer: ChannelEndpoint = {
      send: (m, transfer) => connected.producer.send(m, transfer),
      onMessage: (handler) =>
        connected.producer.onMessage((m) => {
          credited ||= m.t === "credit";
          handler(m);
        }),
      close: () => connected.producer.close(),
    };
    const availability = new OutputAvailability();
    const out = new OutputChannel(producer, new RecordBatchEncoder(), SETTINGS, availability);
    const gate = new InputGate([consumer], SETTINGS);
    gate.start();
    await until(() => credited, "the consumer's first credit at the producer");
    // The consumer takes nothing: the producer may send `credits` buffers, then
    // queue `backlog` more, then it must report itself unavailable.
    let added = 0;
    while (availability.available && added < 100_000) {
      out.add("x".repeat(100), Number.NaN);
      out.flush();
      added++;
      await new Promise((r) => setTimeout(r, 0));
    }
    assert.equal(availability.available, false, "the producer is backpressured");
    assert.equal(out.maxBacklog, SETTINGS.backlogBuffersPerChannel);
    await until(
      () => gate.maxQueuedPerChannel === SETTINGS.creditsPerChannel,
      "credit-many buffers",
    );
    assert.equal(added, SETTINGS.creditsPerChannel + SETTINGS.backlogBuffersPerChannel);
    // Consuming returns credit, which frees the producer.
    const released = availability.whenAvailable();
    for (let i = 0; i < SETTINGS.creditsPerChannel; i++) {
      const item = gate.poll()!;
      assert.equal(item.kind, "buffer");
      if (item.kind === "buffer") gate.release(item);
    }
    await released;
    assert.ok(gate.maxQueuedPerChannel <= SETTINGS.creditsPerChannel);
    out.close();
    gate.close();
  });
}
