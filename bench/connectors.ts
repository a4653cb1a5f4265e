/**
 * `deno task bench connectors`: MQTT -> spate -> MQTT throughput at QoS 0
 * against the mqtt client library's own consume/publish loop, in the same
 * run on the same mosquitto. Both relay `--messages` messages of
 * `--payload-bytes` from one topic to another: the baseline is one client,
 * in a process of its own (bench/jobs/mqtt_raw_relay.ts), that republishes
 * each message it receives; spate runs
 * bench/jobs/mqtt_relay_job.ts (source -> map -> sink, parallelism 1) on a
 * local cluster. A counting subscriber on the output topic times each run
 * from the first publish to the last message out (messages the broker
 * dropped are reported, not waited for past `--timeout-ms`). Then the same
 * for JetStream (bench/jetstream.ts). `--only mqtt` or `--only jetstream`
 * runs one of them.
 * @module
 */

import { parseArgs } from "node:util";
import mqtt from "mqtt";
import type { MqttClient } from "mqtt";
import { spawnCli } from "../tests/_helpers/cli.ts";
import { waitFor } from "../tests/_helpers/cluster.ts";
import { mosquittoSkipReason, startMosquitto } from "../tests/_helpers/mosquitto.ts";
import { jetstreamBench } from "./jetstream.ts";

const CLIENT = { protocolVersion: 5 as const, reconnectPeriod: 0 };

/** Counts the messages arriving on `topic`, and when the last one came. */
async function counter(url: string, topic: string) {
  const client = await mqtt.connectAsync(url, CLIENT);
  const c = { client, count: 0, lastMs: 0 };
  client.on("message", (_t, payload) => {
    if (payload.length <= 1) return; // a readiness probe or the end marker
    c.count++;
    c.lastMs = performance.now();
  });
  await client.subscribeAsync(topic, { qos: 0 });
  return c;
}

/** Publishes `n` QoS 0 messages; resolves when the client wrote them all. */
async function publishAll(client: MqttClient, topic: string, n: number, payload: Uint8Array) {
  for (let i = 0; i < n; i++) {
    client.publish(topic, payload as unknown as string, { qos: 0 });
    if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 0)); // let the socket drain
  }
  await new Promise<void>((resolve) => client.publish(topic, "", { qos: 0 }, () => resolve()));
}

/** Relays `n` messages in -> out and returns messages per second out. */
async function measure(
  url: string,
  inTopic: string,
  outTopic: string,
  n: number,
  bytes: number,
  timeoutMs: number,
) {
  const out = await counter(url, outTopic);
  const pub = await mqtt.connectAsync(url, CLIENT);
  const payload = new Uint8Array(bytes).fill(120);
  const start = performance.now();
  await publishAll(pub, inTopic, n, payload);
  await waitFor(`${n} messages out`, () => out.count >= n, timeoutMs).catch(() => {});
  const received = out.count;
  const rate = received / ((out.lastMs - start) / 1000);
  await pub.endAsync();
  await out.client.endAsync();
  return { received, rate };
}

/** Publishes 1-byte probes to `inTopic` until one comes out on `outTopic` (the relay runs). */
async function awaitRelay(url: string, inTopic: string, outTopic: string, timeoutMs: number) {
  const client = await mqtt.connectAsync(url, CLIENT);
  let seen = false;
  client.on("message", () => seen = true);
  await client.subscribeAsync(outTopic, { qos: 0 });
  await waitFor("the relay to pass a probe", async () => {
    await client.publishAsync(inTopic, "p", { qos: 0 });
    await new Promise((r) => setTimeout(r, 100));
    return seen;
  }, timeoutMs);
  await client.endAsync();
}

export async function connectorsBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      messages: { type: "string", default: "200000" },
      "payload-bytes": { type: "string", default: "100" },
      "timeout-ms": { type: "string", default: "60000" },
      only: { type: "string" },
    },
  });
  const n = Number(values.messages), bytes = Number(values["payload-bytes"]);
  const timeoutMs = Number(values["timeout-ms"]);
  if (values.only !== undefined && !["mqtt", "jetstream"].includes(values.only)) {
    throw new Error(`bench connectors --only takes mqtt or jetstream, not '${values.only}'`);
  }
  if (values.only !== "jetstream") await mqttBench(n, bytes, timeoutMs);
  if (values.only !== "mqtt") await jetstreamBench(n, bytes, timeoutMs);
}

async function mqttBench(n: number, bytes: number, timeoutMs: number): Promise<void> {
  const skip = mosquittoSkipReason();
  if (skip) throw new Error(`bench connectors needs mosquitto: ${skip}`);
  await using broker = await startMosquitto();

  // Baseline: the client library's consume/publish loop, in its own process like spate's job.
  const relay = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./jobs/mqtt_raw_relay.ts", import.meta.url).pathname,
      broker.url,
      "raw/in",
      "raw/out",
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  let raw;
  try {
    await awaitRelay(broker.url, "raw/in", "raw/out", 30_000);
    raw = await measure(broker.url, "raw/in", "raw/out", n, bytes, timeoutMs);
  } finally {
    relay.kill("SIGKILL");
    await relay.status;
  }

  const job = spawnCli([
    "run",
    new URL("./jobs/mqtt_relay_job.ts", import.meta.url).pathname,
    "--local",
    "-p",
    "1",
    "--",
    "--broker",
    broker.url,
    "--in",
    "spate/in",
    "--out",
    "spate/out",
  ]);
  try {
    await awaitRelay(broker.url, "spate/in", "spate/out", 60_000);
    const spate = await measure(broker.url, "spate/in", "spate/out", n, bytes, timeoutMs);
    const fmt = (r: { received: number; rate: number }) =>
      `${Math.round(r.rate).toLocaleString("en")} msg/s (${r.received}/${n} out)`;
    console.log(`MQTT QoS 0 relay, ${n} messages of ${bytes} B, mosquitto on loopback:`);
    console.log(`  mqtt client loop (baseline): ${fmt(raw)}`);
    console.log(`  MQTT -> spate -> MQTT (p=1): ${fmt(spate)}`);
    console.log(`  spate / baseline: ${(100 * spate.rate / raw.rate).toFixed(0)}%`);
  } finally {
    job.child.kill("SIGINT");
    await job.child.status;
  }
}
