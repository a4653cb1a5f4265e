/**
 * The JetStream half of `deno task bench connectors`: JetStream -> spate ->
 * JetStream against the nats.js client's own consume/publish loop, in the
 * same run on the same nats-server. `n` messages of `bytes` are stored in
 * stream IN first; then each relay copies all of them to an output stream of
 * its own, with de-duplication ids and acknowledged publishes: the baseline
 * (bench/jobs/jetstream_raw_relay.ts, a process of its own) and spate
 * (bench/jobs/jetstream_relay_job.ts: source -> map -> sink, parallelism 1,
 * checkpoints every second, on a local cluster). Each rate is `n` over the
 * time between the first and the last message stored in its output stream
 * (the server's timestamps), so start-up is not counted.
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { spawnCli } from "../tests/_helpers/cli.ts";
import { waitFor } from "../tests/_helpers/cluster.ts";
import { natsSkipReason, startNatsServer } from "../tests/_helpers/nats.ts";

/** Messages per pull request (spate's batch size and the baseline's). */
const BATCH = 1000;
/** Unacknowledged publishes (the sink's default `setMaxPendingAcks`, and the baseline's). */
const PENDING_ACKS = 10_000;

/** Stores `n` messages of `bytes` in stream IN. */
async function preload(nc: NatsConnection, n: number, bytes: number): Promise<void> {
  const js = jetstream(nc);
  const payload = new Uint8Array(bytes).fill(120);
  for (let from = 0; from < n; from += BATCH) {
    const acks = [];
    for (let i = from; i < Math.min(n, from + BATCH); i++) acks.push(js.publish("in", payload));
    await Promise.all(acks);
  }
}

/** Waits until `stream` holds `n` messages; messages per second between its first and last. */
async function rateOf(nc: NatsConnection, stream: string, n: number, timeoutMs: number) {
  const jsm = await jetstreamManager(nc);
  let messages = 0;
  await waitFor(`${n} messages in ${stream}`, async () => {
    messages = (await jsm.streams.info(stream)).state.messages;
    return messages >= n;
  }, timeoutMs).catch(() => {});
  const { state } = await jsm.streams.info(stream);
  const spanMs = Date.parse(state.last_ts) - Date.parse(state.first_ts);
  return { received: state.messages, rate: state.messages / (spanMs / 1000) };
}

/** Runs both relays and prints their rates and the ratio. */
export async function jetstreamBench(n: number, bytes: number, timeoutMs: number): Promise<void> {
  const skip = natsSkipReason();
  if (skip) throw new Error(`bench connectors needs nats-server: ${skip}`);
  await using server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "IN", subjects: ["in"] });
    await jsm.streams.add({ name: "OUT_RAW", subjects: ["out.raw"] });
    await jsm.streams.add({ name: "OUT_SPATE", subjects: ["out.spate"] });
    await preload(nc, n, bytes);

    const relay = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("./jobs/jetstream_raw_relay.ts", import.meta.url).pathname,
        server.url,
        "IN",
        "out.raw",
        String(BATCH),
        String(PENDING_ACKS),
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
    let raw;
    try {
      raw = await rateOf(nc, "OUT_RAW", n, timeoutMs);
    } finally {
      relay.kill("SIGKILL");
      await relay.status;
    }

    const job = spawnCli([
      "run",
      new URL("./jobs/jetstream_relay_job.ts", import.meta.url).pathname,
      "--local",
      "-p",
      "1",
      "--checkpoint-interval",
      "1000",
      "--",
      "--server",
      server.url,
      "--in-stream",
      "IN",
      "--out-stream",
      "OUT_SPATE",
      "--out-subject",
      "out.spate",
      "--batch",
      String(BATCH),
    ]);
    let spate;
    try {
      spate = await rateOf(nc, "OUT_SPATE", n, timeoutMs);
    } finally {
      job.child.kill("SIGINT");
      await job.child.status;
    }
    const fmt = (r: { received: number; rate: number }) =>
      `${Math.round(r.rate).toLocaleString("en")} msg/s (${r.received}/${n} out)`;
    console.log(
      `JetStream relay with de-duplication ids and acknowledged publishes, ${n} messages of ` +
        `${bytes} B, nats-server on loopback:`,
    );
    console.log(`  nats.js consume/publish loop (baseline): ${fmt(raw)}`);
    console.log(`  JetStream -> spate -> JetStream (p=1):   ${fmt(spate)}`);
    console.log(`  spate / baseline: ${(100 * spate.rate / raw.rate).toFixed(0)}%`);
  } finally {
    await nc.close();
  }
}
