/**
 * MQTT end to end with real processes: a mosquitto broker, a master and 2
 * workers. N messages are published with QoS 1 to a job that counts them
 * per key (MQTT -> keyed count -> exactly-once file sinks, checkpoints every
 * 300 ms); a worker of the job is killed (-9) mid-run. The raw counts may
 * exceed the reference only by messages delivered again (at-least-once: a
 * checkpoint covered them but their PUBACK had not reached the broker at the
 * kill); the counts after a keyed dedup by message id equal the reference
 * exactly. The job's MQTT sink
 * publishes the deduplicated counts (retained) to a topic a test subscriber
 * reads. A job whose broker does not answer fails at start naming it.
 */

import assert from "node:assert/strict";
import mqtt from "mqtt";
import { runCli, spawnCli } from "../_helpers/cli.ts";
import { jobPath } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails } from "../_helpers/kills.ts";
import { committedLines } from "../_helpers/keyed_count.ts";
import { mosquittoSkipReason, startMosquitto } from "../_helpers/mosquitto.ts";
import { streamingRunArgs } from "../_helpers/streaming_run.ts";

const skip = mosquittoSkipReason();
if (skip) console.warn(`MQTT integration tests skipped: ${skip}`);

const MESSAGES = 20_000;
const KEYS = 50;
const keyOf = (i: number) => `k${i % KEYS}`;

/** Publishes messages `from` .. `to - 1` as {"id", "key"} with QoS 1 over a few topics. */
async function publish(url: string, from: number, to: number): Promise<void> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
  const sent: Promise<unknown>[] = [];
  for (let i = from; i < to; i++) {
    const payload = JSON.stringify({ id: i, key: keyOf(i) });
    sent.push(client.publishAsync(`events/${i % 4}`, payload, { qos: 1 }));
  }
  await Promise.all(sent);
  await client.endAsync();
}

/** The highest count committed per key ("key,count" lines). */
function finalCounts(lines: Map<string, number>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of lines.keys()) {
    const [k, n] = line.split(",");
    counts.set(k, Math.max(counts.get(k) ?? 0, Number(n)));
  }
  return counts;
}

const reference = new Map<string, number>();
for (let i = 0; i < MESSAGES; i++) reference.set(keyOf(i), (reference.get(keyOf(i)) ?? 0) + 1);

Deno.test({
  name: "MQTT QoS 1 -> keyed count with kill -9 of a worker: at-least-once, exact after dedup",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startMosquitto();
    const cluster = await startCluster(2, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-mqtt-" });
    try {
      const job = runCli(streamingRunArgs("mqtt_keyed_count.ts", cluster.url, {
        checkpointDir: `${out}/checkpoints`,
      }, [
        "--broker",
        broker.url,
        "--topic",
        "events",
        "--out",
        out,
        "--echo-topic",
        "counts",
        "--client-id",
        "mqtt-test-job",
      ]));
      // A completed checkpoint: every reader opened, so its subscription exists.
      let victim = "";
      await waitFor("a completed checkpoint", async () => {
        const d = await jobDetails(cluster.url);
        if (d?.state !== "RUNNING") return false;
        victim = d.vertices[0].subtasks[0].worker ?? "";
        return d.checkpoints.some((c: { status: string }) => c.status === "COMPLETED");
      }, 30_000);
      await publish(broker.url, 0, MESSAGES / 2);
      // The kill comes while the second half is being published and read.
      const secondHalf = publish(broker.url, MESSAGES / 2, MESSAGES);
      const w = cluster.workers.find((p) => p.stderr().includes(victim));
      assert.ok(w, `no worker process for ${victim}`);
      w.kill("SIGKILL");
      await w.child.status;
      cluster.workers.splice(cluster.workers.indexOf(w), 1);
      cluster.addWorker(2);
      await secondHalf;

      await waitFor("the deduplicated counts to reach the reference", async () => {
        const counts = finalCounts(await committedLines(`${out}/dedup`));
        return [...reference].every(([k, n]) => counts.get(k) === n);
      }, 30_000);
      const d = await jobDetails(cluster.url);
      await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url]);
      const res = await job;
      const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
      assert.ok(restarts >= 1, `the kill did not restart the job:\n${res.stderr}`);

      // Dedup by id: exactly the reference lines, each once.
      const dedup = await committedLines(`${out}/dedup`);
      const expected = new Set<string>();
      for (const [k, n] of reference) for (let c = 1; c <= n; c++) expected.add(`${k},${c}`);
      assert.deepEqual(new Set(dedup.keys()), expected);
      assert.ok([...dedup.values()].every((n) => n === 1), "a dedup line was committed twice");
      // Raw: never below the reference; above it only by replayed messages.
      const raw = finalCounts(await committedLines(`${out}/raw`));
      let replayed = 0;
      for (const [k, n] of reference) {
        const got = raw.get(k) ?? 0;
        assert.ok(got >= n, `key ${k}: ${got} < ${n}: a message was lost`);
        replayed += got - n;
      }
      console.log(
        `MQTT at-least-once: ${MESSAGES} messages, ${restarts} restart(s), ` +
          `${replayed} delivered again and counted twice raw, 0 after dedup by id`,
      );
      // The MQTT sink's retained messages: the final count of each key.
      const sub = await mqtt.connectAsync(broker.url, { protocolVersion: 5, reconnectPeriod: 0 });
      const seen = new Map<string, number>();
      sub.on("message", (topic, payload) => seen.set(topic.slice(7), Number(payload.toString())));
      await sub.subscribeAsync("counts/#", { qos: 1 });
      await waitFor(`${KEYS} retained counts`, () => seen.size === KEYS, 10_000);
      await sub.endAsync();
      assert.deepEqual(seen, reference);
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

/** The highest completed checkpoint id of the cluster's job (0 before any). */
async function lastCompletedCheckpoint(url: string): Promise<number> {
  const d = await jobDetails(url);
  const done = (d?.checkpoints ?? []).filter((c: { status: string }) => c.status === "COMPLETED");
  return Math.max(0, ...done.map((c: { id: number }) => c.id));
}

Deno.test({
  name:
    "MQTT: a broker that goes away fails the tasks; the job restarts and resumes when it returns",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using broker = await startMosquitto();
    const cluster = await startCluster(1, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-mqtt-outage-" });
    try {
      const job = spawnCli(streamingRunArgs("mqtt_keyed_count.ts", cluster.url, {
        restart: "fixed-delay:50:200",
      }, [
        "--broker",
        broker.url,
        "--topic",
        "events",
        "--out",
        out,
        "--client-id",
        "mqtt-outage-job",
      ]));
      const counted = async (n: number) => {
        const counts = finalCounts(await committedLines(`${out}/dedup`));
        const ref = new Map<string, number>();
        for (let i = 0; i < n; i++) ref.set(keyOf(i), (ref.get(keyOf(i)) ?? 0) + 1);
        return [...ref].every(([k, c]) => counts.get(k) === c);
      };
      await waitFor(
        "a completed checkpoint",
        async () => await lastCompletedCheckpoint(cluster.url) > 0,
        30_000,
      );
      await publish(broker.url, 0, 1000);
      await waitFor("1000 messages counted", () => counted(1000), 20_000);

      await broker.stop(); // the broker goes away: the readers and the sink fail
      await waitFor("the job to restart", () => /RESTARTING/.test(job.stderr()), 20_000);
      await broker.start(); // back, on the same port (its sessions are gone: persistence is off)
      const before = await lastCompletedCheckpoint(cluster.url);
      // Two more checkpoints: the restarted readers are subscribed again.
      await waitFor(
        "checkpoints after the broker returned",
        async () => await lastCompletedCheckpoint(cluster.url) >= before + 2,
        30_000,
      );
      await publish(broker.url, 1000, 2000);
      await waitFor("2000 messages counted", () => counted(2000), 20_000);

      const d = await jobDetails(cluster.url);
      await runCli(["cancel", d.jid ?? d.id, "--master", cluster.url]);
      await job.child.status;
      await job.stderrClosed;
      assert.match(job.stderr(), /lost the connection to MQTT broker|cannot reach MQTT broker/);
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "MQTT: a job whose broker is unreachable fails at start, naming the broker",
  ignore: skip !== undefined,
  async fn() {
    const cluster = await startCluster(1, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-mqtt-bad-" });
    try {
      const port = 1; // nothing listens on port 1
      const res = await runCli([
        "run",
        jobPath("mqtt_keyed_count.ts"),
        "--master",
        cluster.url,
        "--mode",
        "streaming",
        "--restart-strategy",
        "none",
        "--",
        "--broker",
        `mqtt://127.0.0.1:${port}`,
        "--topic",
        "events",
        "--out",
        out,
      ]);
      assert.notEqual(res.code, 0);
      assert.match(
        res.stderr,
        /cannot reach MQTT broker mqtt:\/\/127\.0\.0\.1:1: connection refused/,
      );
    } finally {
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});
