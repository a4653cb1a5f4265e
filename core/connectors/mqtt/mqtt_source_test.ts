/**
 * The MQTT source and sink against a real mosquitto: PUBACKs wait for the
 * checkpoint that covers the messages, unacknowledged messages come again
 * after a restart, the sink publishes per-record topics (retained), and bad
 * configuration fails with the broker's name.
 */

import assert from "node:assert/strict";
import mqtt from "mqtt";
import { mosquittoSkipReason, startMosquitto } from "../../../tests/_helpers/mosquitto.ts";
import { waitFor } from "../../../tests/_helpers/cluster.ts";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import { type MqttRecord, MqttSink, MqttSource } from "./mod.ts";
import type { SourceReader } from "../source_reader.ts";
import type { MqttSinkOperator } from "./mqtt_sink.ts";
import { MqttBroker } from "./mqtt_broker.ts";

const skip = mosquittoSkipReason();
if (skip) console.warn(`MQTT tests skipped: ${skip}`);
const ignore = skip !== undefined;

const open = { available: true };

/** Publishes `count` QoS 1 messages "0".."count-1" to `topic`. */
async function publish(url: string, topic: string, count: number, from = 0): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) => client.publishAsync(topic, String(from + i), { qos: 1 }),
    ),
  );
  await client.endAsync();
}

/** Polls `reader` until it emitted `count` more records (deadline-bounded). */
async function pollUntil(reader: SourceReader<MqttRecord>, got: string[], count: number) {
  const out: RecordOutput<MqttRecord> = { collect: (r) => got.push(r.payload) } as RecordOutput<
    MqttRecord
  >;
  await waitFor(`${count} records`, async () => {
    await reader.pollNext(out, open, 1000);
    return got.length >= count;
  }, 10_000);
}

function reader(url: string, prefix: string) {
  return MqttSource.builder().setBrokerUrl(url).setTopics("in/#").setQos(1)
    .setClientIdPrefix(prefix).build().createReader();
}

const ctx = { operatorName: "mqtt", subtaskIndex: 0, parallelism: 1, checkpointing: true };

Deno.test({
  name: "QoS 1: messages covered by a completed checkpoint are acknowledged, the others come again",
  ignore,
  async fn() {
    await using broker = await startMosquitto();
    const first = reader(broker.url, "ack-test");
    await first.open(ctx);
    await publish(broker.url, "in/a", 100);
    const got: string[] = [];
    await pollUntil(first, got, 100);
    first.snapshotState!(1); // checkpoint 1 covers 0..99
    await publish(broker.url, "in/a", 50, 100);
    await pollUntil(first, got, 150);
    first.snapshotState!(2); // checkpoint 2 covers 100..149, never completes
    await first.notifyCheckpointComplete!(1);
    await first.close(); // a failure: 100..149 were emitted, not acknowledged

    const second = reader(broker.url, "ack-test");
    await second.open(ctx);
    const again: string[] = [];
    await pollUntil(second, again, 50);
    assert.deepEqual(again.sort((a, b) => +a - +b), got.slice(100));
    second.snapshotState!(3);
    await second.notifyCheckpointComplete!(3);
    await second.close();

    const third = reader(broker.url, "ack-test");
    await third.open(ctx);
    const none: string[] = [];
    await third.pollNext(
      { collect: (r) => none.push(r.payload) } as RecordOutput<MqttRecord>,
      open,
      10,
    );
    await publish(broker.url, "in/a", 1, 1000);
    await pollUntil(third, none, 1);
    assert.deepEqual(none, ["1000"], "acknowledged messages were delivered again");
    await third.close();
  },
});

Deno.test({
  name: "sink: topic per record, retained, read back by a subscriber",
  ignore,
  async fn() {
    await using broker = await startMosquitto();
    const sink = MqttSink.builder<{ room: string; n: number }>().setBrokerUrl(broker.url)
      .setTopic((r) => `rooms/${r.room}`).setQos(1).setRetain(true)
      .setSerializer((r) => String(r.n)).build();
    const op = sink.createOperator() as MqttSinkOperator<{ room: string; n: number }>;
    await op.open();
    for (let n = 1; n <= 300; n++) op.processElement({ room: `r${n % 3}`, n });
    await op.snapshotState(1); // every QoS 1 publish acknowledged
    await op.close();
    // Retained: a subscriber that comes later reads the last value of each topic.
    const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    const seen = new Map<string, string>();
    sub.on("message", (topic, payload) => seen.set(topic, payload.toString()));
    await sub.subscribeAsync("rooms/#", { qos: 1 });
    await waitFor("3 retained messages", () => seen.size === 3, 5_000);
    await sub.endAsync();
    assert.deepEqual(Object.fromEntries(seen), {
      "rooms/r0": "300",
      "rooms/r1": "298",
      "rooms/r2": "299",
    });
  },
});

Deno.test({
  name: "bad configuration fails at open with the broker's URL",
  ignore,
  async fn() {
    await using broker = await startMosquitto({ user: { name: "alice", password: "s3cret" } });
    const wrong = MqttSource.builder().setBrokerUrl(broker.url).setTopics("x")
      .setClientIdPrefix("bad").setCredentials("alice", "wrong-password").build().createReader();
    const e = await Promise.resolve(wrong.open(ctx)).then(() => undefined, (e: Error) => e);
    assert.match(
      e!.message,
      new RegExp(`MQTT broker ${broker.url} refused the login of user 'alice'`),
    );
    assert.doesNotMatch(e!.message, /wrong-password/);

    const good = MqttSource.builder().setBrokerUrl(broker.url).setTopics("x")
      .setClientIdPrefix("good").setCredentials("alice", "s3cret").build().createReader();
    await good.open(ctx);
    await good.close();

    // Credentials from the environment when the builder has none; never in JSON.
    Deno.env.set("SPATE_MQTT_USERNAME", "alice");
    Deno.env.set("SPATE_MQTT_PASSWORD", "s3cret");
    try {
      const fromEnv = MqttSource.builder().setBrokerUrl(broker.url).setTopics("x")
        .setClientIdPrefix("env").build();
      const r = fromEnv.createReader();
      await r.open(ctx);
      await r.close();
      const b = new MqttBroker(broker.url, {});
      assert.doesNotMatch(JSON.stringify(b) + String(Object.keys(b)), /s3cret/);
    } finally {
      Deno.env.delete("SPATE_MQTT_USERNAME");
      Deno.env.delete("SPATE_MQTT_PASSWORD");
    }

    const closed = `mqtt://127.0.0.1:${broker.port}`;
    await broker.stop();
    const unreachable = MqttSink.builder().setBrokerUrl(closed).setTopic("t").build();
    const e2 = await (unreachable.createOperator() as MqttSinkOperator<string>).open()
      .then(() => undefined, (e: Error) => e);
    assert.match(e2!.message, new RegExp(`cannot reach MQTT broker ${closed}: connection refused`));

    assert.throws(
      () => MqttSource.builder().setBrokerUrl("mqtt://u:p@h:1").setTopics("t").build(),
      /must not hold credentials/,
    );
    assert.throws(
      () => MqttSource.builder().setBrokerUrl("http://h").setTopics("t").build(),
      /mqtt:\/\//,
    );
    assert.throws(() => MqttSource.builder().setBrokerUrl("mqtt://h").build(), /setTopics/);
    assert.throws(
      () => MqttSource.builder().setBrokerUrl("mqtt://h").setTopics("t").build(),
      /setClientIdPrefix/,
    );
  },
});

Deno.test({
  name: "a broker that goes away fails the reader at its next poll",
  ignore,
  async fn() {
    await using broker = await startMosquitto();
    const r = reader(broker.url, "gone");
    await r.open(ctx);
    await broker.stop();
    const out = { collect() {} } as unknown as RecordOutput<MqttRecord>;
    await waitFor("the reader to fail", async () => {
      try {
        await r.pollNext(out, open, 10);
        return false;
      } catch (e) {
        assert.match(
          (e as Error).message,
          new RegExp(`lost the connection to MQTT broker ${broker.url}`),
        );
        return true;
      }
    }, 10_000);
    await r.close();
  },
});

Deno.test({
  name: "parallel readers share the messages: each message goes to one of them",
  ignore,
  async fn() {
    await using broker = await startMosquitto();
    const spec = MqttSource.builder().setBrokerUrl(broker.url).setTopics("in/#").setQos(1)
      .setClientIdPrefix("shared").build();
    const readers = [spec.createReader(), spec.createReader()];
    for (const [i, r] of readers.entries()) {
      await r.open({ ...ctx, subtaskIndex: i, parallelism: 2 });
    }
    await publish(broker.url, "in/s", 200);
    const got: string[][] = [[], []];
    const out = (i: number) => ({ collect: (r: MqttRecord) => got[i].push(r.payload) });
    await waitFor("200 records over both readers", async () => {
      for (const [i, r] of readers.entries()) {
        await r.pollNext(out(i) as RecordOutput<MqttRecord>, open, 1000);
      }
      return got[0].length + got[1].length >= 200;
    }, 10_000);
    assert.ok(
      got[0].length > 0 && got[1].length > 0,
      `one reader got all: ${got.map((g) => g.length)}`,
    );
    const all = [...got[0], ...got[1]].map(Number).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i));
    for (const r of readers) await r.close();
  },
});

Deno.test({
  name: "a payload the deserializer rejects fails the reader, naming the topic",
  ignore,
  async fn() {
    await using broker = await startMosquitto();
    const r = MqttSource.builder().setBrokerUrl(broker.url).setTopics("in/#").setQos(1)
      .setClientIdPrefix("poison").setDeserializer((p) => JSON.parse(new TextDecoder().decode(p)))
      .build().createReader();
    await r.open(ctx);
    await publish(broker.url, "in/bad", 1); // "0" parses
    const client = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
    await client.publishAsync("in/bad", "{not json", { qos: 1 });
    await client.endAsync();
    const out = { collect() {} } as unknown as RecordOutput<unknown>;
    await waitFor("the reader to fail", async () => {
      try {
        await r.pollNext(out, open, 10);
        return false;
      } catch (e) {
        assert.match((e as Error).message, /cannot deserialize a message on topic 'in\/bad'/);
        return true;
      }
    }, 10_000);
    await r.close();
  },
});

Deno.test("keep-alive out of 1..65535 s is refused when the source or sink is built", () => {
  for (const s of [0, 1.5, 70_000]) {
    assert.throws(
      () =>
        MqttSource.builder().setBrokerUrl("mqtt://127.0.0.1:1883").setTopics("x").setQos(0)
          .setKeepAliveSeconds(s).build(),
      /MQTT keep-alive must be an integer in 1\.\.65535 seconds/,
    );
    assert.throws(
      () =>
        MqttSink.builder().setBrokerUrl("mqtt://127.0.0.1:1883").setTopic("x")
          .setKeepAliveSeconds(s).build(),
      /MQTT keep-alive must be an integer in 1\.\.65535 seconds/,
    );
  }
});
