/**
 * A JetStream reader whose pulls lose deliveries, against a real
 * nats-server: a pull whose heartbeats stop (a frozen server) and deliveries
 * taken by another pull of its consumer are read again, once, without failing
 * the task; a reader from new messages restores after them.
 */

import assert from "node:assert/strict";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startNatsServer } from "../../../tests/_helpers/nats.ts";
import { waitFor } from "../../../tests/_helpers/cluster.ts";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import { type JetStreamRecord, JetStreamSource } from "./mod.ts";
import type { JetStreamSourceReader } from "./jetstream_reader.ts";
import {
  ctx,
  ignore,
  open,
  pollUntil,
  publish,
  range,
  setup,
  tolerateTransportResets,
} from "../../../tests/_helpers/jetstream.ts";

tolerateTransportResets();

Deno.test({
  name:
    "a pull whose heartbeats stop (a frozen server) ends alone: the reader creates its consumer anew and loses nothing",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "IN", ["in.>"]);
    await publish(nc, (i) => `in.${i}`, 0, 50);
    // Pulls of 4 s: heartbeats every 1 s, two missed end a pull. The server, thawed at once,
    // still holds the abandoned pulls for about 2 s and delivers what is published next to them.
    const spec = JetStreamSource.builder().setServers(server.url).setStream("IN")
      .setFetchExpiresMs(4000).build();
    const reader = spec.createReader() as JetStreamSourceReader<JetStreamRecord>;
    await reader.open(ctx);
    const got: string[] = [];
    try {
      await pollUntil(reader, got, 50);
      server.freeze();
      try {
        await waitFor(
          "a pull ended on missed heartbeats",
          () => reader.missedHeartbeatPulls > 0,
          10_000,
        );
      } finally {
        server.thaw();
      }
      await publish(nc, (i) => `in.${i}`, 50, 100);
      await pollUntil(reader, got, 100);
      assert.deepEqual(got, range(0, 100));
    } finally {
      await reader.close();
      await nc.close();
    }
  },
});

Deno.test({
  name:
    "deliveries the reader never saw (taken by another pull, as by one it gave up on) are read again, once",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "IN", ["in.>"]);
    const spec = JetStreamSource.builder().setServers(server.url).setStream("IN").setBatchSize(10)
      .build();
    const reader = spec.createReader() as JetStreamSourceReader<JetStreamRecord>;
    await reader.open(ctx);
    const got: string[] = [];
    try {
      await publish(nc, (i) => `in.${i}`, 0, 20);
      await pollUntil(reader, got, 20);
      // The reader keeps at most two pulls of 10 in flight: of 25 messages, another pull of
      // its consumer takes at least the last 5, deliveries the reader never sees.
      const [consumer] = await (await jetstreamManager(nc)).consumers.list("IN").next();
      const thief = await jetstream(nc).consumers.get("IN", consumer.name);
      await publish(nc, (i) => `in.${i}`, 20, 45);
      const stolen: number[] = [];
      for await (const m of await thief.fetch({ max_messages: 5, expires: 2000 })) {
        stolen.push(m.seq);
      }
      assert.equal(stolen.length, 5);
      await publish(nc, (i) => `in.${i}`, 45, 60);
      await pollUntil(reader, got, 60);
      assert.deepEqual(got, range(0, 60));
    } finally {
      await reader.close();
      await nc.close();
    }
  },
});

Deno.test({
  name: "a reader from new messages, checkpointed before its first one, restores after them",
  ignore,
  async fn() {
    await using server = await startNatsServer();
    const nc = await setup(server.url, "IN", ["in.>"]);
    await publish(nc, (i) => `in.${i}`, 0, 5);
    const spec = JetStreamSource.builder().setServers(server.url).setStream("IN")
      .setStartFrom("new").build();
    const first = spec.createReader();
    await first.open(ctx);
    await first.pollNext({ collect() {} } as unknown as RecordOutput<JetStreamRecord>, open, 10);
    const state = first.snapshotState!(1);
    assert.deepEqual(state, [["", 5]]);
    await first.close();
    await publish(nc, (i) => `in.${i}`, 5, 8);
    const restored = spec.createReader();
    restored.restoreState!([state]);
    await restored.open(ctx);
    const got: string[] = [];
    try {
      await pollUntil(restored, got, 3);
      assert.deepEqual(got, range(5, 8));
    } finally {
      await restored.close();
      await nc.close();
    }
  },
});
