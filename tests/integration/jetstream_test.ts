/**
 * JetStream end to end with real processes: a nats-server (-js), a master and
 * 2 workers. Events published to stream IN (two subjects, one split each)
 * are counted per key in event-time windows by `examples/jetstream_windows.ts`
 * and the counts published to stream OUT; a worker of the job is killed (-9)
 * twice while events flow. The OUT stream holds every window's count exactly
 * once, with the reference value: the source replays from its checkpointed
 * sequences, the sink's de-duplication ids make the server drop republished
 * results. A job whose stream does not exist fails at start naming it; a
 * server that goes away mid-job restarts the job, which resumes when it returns.
 */

import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { runCli, spawnCli } from "../_helpers/cli.ts";
import { startCluster, waitFor } from "../_helpers/cluster.ts";
import { jobDetails, killJobWorker } from "../_helpers/kills.ts";
import { natsSkipReason, startNatsServer } from "../_helpers/nats.ts";

const skip = natsSkipReason();
if (skip) console.warn(`JetStream integration tests skipped: ${skip}`);

const EVENTS = 20_000;
const KEYS = 10;
const WINDOW_MS = 1000;
/** Event i happens at i * STEP_MS: 100 events per window over all keys. */
const STEP_MS = 10;
const keyOf = (i: number) => `k${i % KEYS}`;
/** Keys of even index go to in.0, the others to in.1: each split is in event-time order. */
const subjectOf = (i: number) => `in.${i % KEYS % 2}`;

async function createStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "IN", subjects: ["in.*"] });
  await jsm.streams.add({ name: "OUT", subjects: ["counts.>"] });
}

async function publish(nc: NatsConnection, from: number, to: number): Promise<void> {
  const js = jetstream(nc);
  for (let chunk = from; chunk < to; chunk += 1000) {
    const acks = [];
    for (let i = chunk; i < Math.min(to, chunk + 1000); i++) {
      acks.push(js.publish(subjectOf(i), JSON.stringify({ key: keyOf(i), timeMs: i * STEP_MS })));
    }
    await Promise.all(acks);
  }
}

/** An event far ahead on each subject: the watermark passes every window of the run. */
async function publishEnd(nc: NatsConnection): Promise<void> {
  const js = jetstream(nc);
  const timeMs = (EVENTS + 10 * WINDOW_MS) * STEP_MS;
  for (const s of ["in.0", "in.1"]) await js.publish(s, JSON.stringify({ key: "end", timeMs }));
}

/** Every message of stream OUT as "key@windowEnd" -> count, and how many messages there are. */
async function outputs(
  nc: NatsConnection,
): Promise<{ results: Map<string, number>; messages: number }> {
  const jsm = await jetstreamManager(nc);
  const messages = (await jsm.streams.info("OUT")).state.messages;
  const results = new Map<string, number>();
  if (messages === 0) return { results, messages };
  const c = await jetstream(nc).consumers.get("OUT");
  for await (const m of await c.fetch({ max_messages: messages, expires: 5000 })) {
    const r = m.json<{ key: string; windowEndMs: number; count: number }>();
    const id = `${r.key}@${r.windowEndMs}`;
    assert.ok(!results.has(id), `result ${id} is in the output stream twice`);
    results.set(id, r.count);
    if (results.size === messages) break;
  }
  return { results, messages };
}

const reference = new Map<string, number>();
for (let i = 0; i < EVENTS; i++) {
  const id = `${keyOf(i)}@${(Math.floor((i * STEP_MS) / WINDOW_MS) + 1) * WINDOW_MS}`;
  reference.set(id, (reference.get(id) ?? 0) + 1);
}

function jobArgs(
  master: string,
  server: string,
  extra: string[],
  jobExtra: string[] = [],
): string[] {
  return [
    "run",
    "examples/jetstream_windows.ts",
    "--master",
    master,
    "-p",
    "2",
    "--checkpoint-interval",
    "300",
    ...extra,
    "--",
    "--servers",
    server,
    "--in-stream",
    "IN",
    "--in-subjects",
    "in.0,in.1",
    "--out-stream",
    "OUT",
    "--window-ms",
    String(WINDOW_MS),
    ...jobExtra,
  ];
}

async function cancelJob(url: string): Promise<void> {
  const d = await jobDetails(url);
  await runCli(["cancel", d.jid ?? d.id, "--master", url]);
}

Deno.test({
  name: "JetStream -> event-time window -> JetStream, kill -9 twice: every result exactly once",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startNatsServer();
    const nc = await connect({ servers: server.url });
    await createStreams(nc);
    const cluster = await startCluster(2, 2);
    const out = await Deno.makeTempDir({ prefix: "spate-jetstream-" });
    try {
      // Pull requests of 30 s (their heartbeats 7.5 s apart): with 3-4 test files at a time the
      // readers missed two 2.5 s heartbeats and restarted again and again (open question:
      // BENCHMARKS' session 15 notes). This test kills workers, never the server.
      const job = spawnCli(jobArgs(cluster.url, server.url, [
        "--checkpoint-dir",
        `${out}/checkpoints`,
        "--restart-strategy",
        "fixed-delay:10:200",
      ], ["--fetch-expires-ms", "30000"]));
      const jobLog = () =>
        job.stderr().split("\n").filter((l) => !/^Checkpoint \d+ completed/.test(l));
      // Every worker that ran, the killed ones too: their logs tell the duplicates dropped.
      const workers = new Set(cluster.workers);
      await publish(nc, 0, EVENTS / 4);
      await killJobWorker(cluster, 1);
      const rest = publish(nc, EVENTS / 4, EVENTS);
      cluster.workers.forEach((w) => workers.add(w));
      await killJobWorker(cluster, 3);
      cluster.workers.forEach((w) => workers.add(w));
      await rest;
      await publishEnd(nc);
      await waitFor("every window's count in stream OUT", async () => {
        const { messages } = await outputs(nc);
        return messages >= reference.size;
      }, 60_000).catch((e) => {
        throw new Error(`${e.message}; the job's log:\n${jobLog().join("\n")}`);
      });
      // Two more checkpoints: a replay still under way would have published by then.
      const done = async () =>
        ((await jobDetails(cluster.url))?.checkpoints ?? []).filter((c: { status: string }) =>
          c.status === "COMPLETED"
        ).length;
      const before = await done();
      await waitFor("two more checkpoints", async () => await done() >= before + 2, 30_000);
      await cancelJob(cluster.url);
      await job.child.status;
      await job.stderrClosed;
      const restarts = (job.stderr().match(/RESTARTING/g) ?? []).length;
      assert.ok(restarts >= 2, `the kills did not restart the job twice:\n${jobLog().join("\n")}`);

      const { results, messages } = await outputs(nc);
      assert.equal(
        messages,
        reference.size,
        "the output stream holds a result twice or misses one",
      );
      assert.deepEqual(results, reference);
      let dropped = 0;
      for (const w of workers) {
        for (const m of w.stderr().matchAll(/dropped (\d+) republished messages/g)) {
          dropped += Number(m[1]);
        }
      }
      console.log(
        `JetStream exactly-once: ${EVENTS} events, ${restarts} restarts, ` +
          `${messages} window results in the output stream, each once with its reference count; ` +
          `the server dropped ${dropped} republished results as duplicates`,
      );
    } finally {
      await nc.close();
      await cluster.stop();
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name: "JetStream: a job whose stream does not exist fails at start, naming it",
  ignore: skip !== undefined,
  async fn() {
    await using server = await startNatsServer();
    const cluster = await startCluster(1, 2);
    try {
      const res = await runCli(jobArgs(cluster.url, server.url, ["--restart-strategy", "none"]));
      assert.notEqual(res.code, 0);
      assert.match(
        res.stderr,
        // Neither stream exists: the source's or the sink's task fails first.
        new RegExp(`JetStream stream '(IN|OUT)' does not exist on NATS server ${server.url}`),
      );
    } finally {
      await cluster.stop();
    }
  },
});

Deno.test({
  name:
    "JetStream: a server that goes away restarts the job, which resumes without loss when it returns",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await using server = await startNatsServer();
    let nc = await connect({ servers: server.url });
    await createStreams(nc);
    const cluster = await startCluster(1, 2);
    try {
      const job = spawnCli(jobArgs(cluster.url, server.url, [
        "--restart-strategy",
        "fixed-delay:100:200",
      ]));
      await publish(nc, 0, EVENTS / 2);
      await waitFor(
        "the first half's windows",
        async () => (await outputs(nc)).messages > 0,
        30_000,
      );
      await nc.close();
      await server.stop(); // streams stay in the store directory
      await waitFor("the job to restart", () => /RESTARTING/.test(job.stderr()), 20_000);
      await server.start();
      nc = await connect({ servers: server.url });
      await publish(nc, EVENTS / 2, EVENTS);
      await publishEnd(nc);
      try {
        await waitFor("every window's count in stream OUT", async () => {
          const { messages } = await outputs(nc);
          return messages >= reference.size;
        }, 60_000);
      } catch (e) {
        console.error(`--- the job's output:\n${job.stderr().slice(-6000)}\n${cluster.logs()}`);
        throw e;
      }
      await cancelJob(cluster.url);
      await job.child.status;
      await job.stderrClosed;
      // The reason names the server (the pull ended, or the connection was lost).
      assert.match(job.stderr(), new RegExp(`RESTARTING .* NATS server ${server.url}`));
      const { results } = await outputs(nc);
      assert.deepEqual(results, reference);
    } finally {
      await nc.close();
      await cluster.stop();
    }
  },
});
