/**
 * `deno task bench ingest`: HTTP ingest under load with a worker kill. A
 * master and two workers run the ingest test job (`tests/_jobs/http_ingest.ts`:
 * source at parallelism 2 -> exactly-once file sink, short checkpoint
 * interval); clients send `--records` separate POSTs of one record each
 * through the master, `--concurrency` in flight, each sent again until it is
 * answered 2xx. At 30% acknowledged a worker running a reader is killed (-9)
 * and a new one added. At the end every acknowledged record must be in the
 * committed output (duplicates are counted, not failed: they come from
 * records sent again). Prints POSTs/s, p50/p99 answer latency, restarts and
 * the records sent again.
 * @module
 */

import { parseArgs } from "node:util";
import { jobPath, runCli } from "../tests/_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../tests/_helpers/cluster.ts";
import { jobDetails } from "../tests/_helpers/kills.ts";
import { committedLines } from "../tests/_helpers/keyed_count.ts";

/** Longest one record is sent again before the run fails. */
const RECORD_DEADLINE_MS = 180_000;
/** Pause after a dropped connection (no Retry-After to follow). */
const RETRY_PAUSE_MS = 100;

/** What the clients saw. */
interface Load {
  readonly acked: Uint8Array;
  ackedCount: number;
  posts: number;
  /** Attempts answered non-2xx or dropped: each a record sent again. */
  resent: number;
  /** 1 for each id sent more than once. */
  readonly resentIds: Uint8Array;
  readonly failures: Map<string, number>;
  /** Milliseconds from sending the acknowledged attempt to its 2xx answer. */
  readonly latencies: Float64Array;
  /** Milliseconds from a record's first attempt to its 2xx answer (retries included). */
  readonly endToEnd: Float64Array;
}

/** CPU time (user + system) of process `pid` so far, in ms. */
function cpuMs(pid: number | "self"): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: Float64Array, p: number) => {
  const sorted = xs.slice().sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};

/** Sends ids `0..records-1`, one per POST, `concurrency` at a time, until each is answered 2xx. */
async function sendAll(
  url: string,
  records: number,
  concurrency: number,
  client: Deno.HttpClient | undefined,
  onAck: (load: Load) => void,
): Promise<Load> {
  const load: Load = {
    acked: new Uint8Array(records),
    ackedCount: 0,
    posts: 0,
    resent: 0,
    resentIds: new Uint8Array(records),
    failures: new Map(),
    latencies: new Float64Array(records),
    endToEnd: new Float64Array(records),
  };
  let next = 0;
  const fail = (id: number, status: string) => {
    load.failures.set(status, (load.failures.get(status) ?? 0) + 1);
    load.resent++;
    load.resentIds[id] = 1;
  };
  const sendOne = async (id: number) => {
    const body = `{"id":${id}}`;
    const first = performance.now();
    for (;;) {
      if (performance.now() - first > RECORD_DEADLINE_MS) {
        throw new Error(`record ${id} not acknowledged within ${RECORD_DEADLINE_MS} ms`);
      }
      load.posts++;
      const sent = performance.now();
      let pauseMs = RETRY_PAUSE_MS;
      try {
        const res = await fetch(url, { method: "POST", body, client });
        const text = await res.text();
        if (res.ok) {
          const now = performance.now();
          load.latencies[id] = now - sent;
          load.endToEnd[id] = now - first;
          load.acked[id] = 1;
          load.ackedCount++;
          return;
        }
        if (res.status === 400 || res.status === 404 || res.status === 413) {
          throw new Error(`record ${id} refused: ${res.status} ${text}`);
        }
        fail(id, String(res.status));
        pauseMs = Number(res.headers.get("retry-after") ?? "0") * 1000 || RETRY_PAUSE_MS;
      } catch (e) {
        if ((e as Error).message.includes(" refused: ")) throw e;
        fail(id, "network");
      }
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const worker = async () => {
    while (next < records) {
      await sendOne(next++);
      onAck(load);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return load;
}

function startJob(cluster: TestCluster, out: string, checkpointMs: number, maxPending: number) {
  return runCli([
    "run",
    jobPath("http_ingest.ts"),
    "--master",
    cluster.url,
    "--mode",
    "streaming",
    "-p",
    "2",
    "--checkpoint-interval",
    String(checkpointMs),
    "--checkpoint-dir",
    `${out}/checkpoints`,
    "--restart-strategy",
    "fixed-delay:10:200",
    "--",
    "--out",
    `${out}/files`,
    "--max-pending-requests",
    String(maxPending),
  ]);
}

/** Waits for the job running, every subtask too, with a completed checkpoint; returns its details. */
async function runningWithCheckpoint(url: string) {
  // deno-lint-ignore no-explicit-any
  let d: any;
  await waitFor("the job running with a completed checkpoint", async () => {
    d = await jobDetails(url);
    return d?.state === "RUNNING" &&
      d.vertices.every((v: { subtasks: { state: string }[] }) =>
        v.subtasks.every((s) => s.state === "RUNNING")
      ) &&
      d.checkpoints.some((c: { status: string }) => c.status === "COMPLETED");
  }, 60_000);
  return d;
}

/**
 * Options: `--records` (50000), `--concurrency` POSTs in flight (512),
 * `--checkpoint-interval` ms (200), `--h2` (one HTTP/2 connection to the
 * master instead of a pool of keep-alive HTTP/1.1 connections),
 * `--max-pending-requests` per reader (1024, the source's default), `--no-kill`.
 */
export async function ingestBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      records: { type: "string", default: "50000" },
      concurrency: { type: "string", default: "512" },
      "checkpoint-interval": { type: "string", default: "200" },
      h2: { type: "boolean", default: false },
      "max-pending-requests": { type: "string", default: "1024" },
      "no-kill": { type: "boolean", default: false },
    },
  });
  const records = Number(values.records);
  const concurrency = Number(values.concurrency);
  const intervalMs = Number(values["checkpoint-interval"]);
  for (const [flag, n] of [["records", records], ["concurrency", concurrency]] as const) {
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer`);
  }
  const out = await Deno.makeTempDir({ prefix: "spate-bench-ingest-" });
  const cluster = await startCluster(2, 2);
  const client = values.h2 ? Deno.createHttpClient({ http1: false, http2: true }) : undefined;
  try {
    // The source's default limit (1024 requests held per reader) takes the default concurrency.
    const job = startJob(cluster, out, intervalMs, Number(values["max-pending-requests"]));
    const d = await runningWithCheckpoint(cluster.url);
    const victimId = d.vertices[0].subtasks[0].worker as string;
    let ackedAtKill = -1;
    let killedCpuMs = 0;
    const started = performance.now();
    const cpuAtStart = {
      client: cpuMs("self"),
      master: cpuMs(cluster.master.child.pid),
      workers: cluster.workers.reduce((sum, w) => sum + cpuMs(w.child.pid), 0),
    };
    const load = await sendAll(
      `${cluster.url}/ingest/orders`,
      records,
      concurrency,
      client,
      (l) => {
        if (values["no-kill"] || ackedAtKill >= 0 || l.ackedCount < records * 0.3) return;
        ackedAtKill = l.ackedCount;
        const w = cluster.workers.find((p) => p.stderr().includes(victimId));
        if (w === undefined) throw new Error(`no worker process for ${victimId}`);
        killedCpuMs = cpuMs(w.child.pid);
        w.kill("SIGKILL");
        cluster.workers.splice(cluster.workers.indexOf(w), 1);
        cluster.addWorker(2);
      },
    );
    const seconds = (performance.now() - started) / 1000;
    const perK = (ms: number) => (ms / (records / 1000)).toFixed(0);
    const cpu = {
      client: perK(cpuMs("self") - cpuAtStart.client),
      master: perK(cpuMs(cluster.master.child.pid) - cpuAtStart.master),
      workers: perK(
        cluster.workers.reduce((sum, w) => sum + cpuMs(w.child.pid), killedCpuMs) -
          cpuAtStart.workers,
      ),
    };

    let lines = new Map<string, number>();
    let missing = 0;
    await waitFor("every acknowledged record in the committed output", async () => {
      lines = await committedLines(`${out}/files`);
      missing = 0;
      for (let id = 0; id < records; id++) if (load.acked[id] && !lines.has(String(id))) missing++;
      return missing === 0;
    }, 60_000).catch(() => {});
    // A duplicate comes from a record sent again whose first copy was durable (its answer lost).
    let duplicates = 0, unexplained = 0;
    for (const [line, n] of lines) {
      duplicates += n - 1;
      if (n > 1 && !load.resentIds[Number(line)]) unexplained += n - 1;
    }
    const final = await jobDetails(cluster.url);
    const perReader = (final.vertices[0].subtasks as { metrics: { recordsIn: number } }[])
      .map((s) => s.metrics.recordsIn).join(" / ");
    const durations = (final.checkpoints as { status: string; durationMs: number }[])
      .filter((c) => c.status === "COMPLETED").map((c) => c.durationMs);
    await runCli(["cancel", final.jid ?? final.id, "--master", cluster.url]);
    const res = await job;
    const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
    const failures = JSON.stringify(Object.fromEntries(load.failures));
    console.log(
      `HTTP ingest: ${records.toLocaleString()} POSTs of one record through the master ` +
        `(${concurrency} in flight over ${values.h2 ? "one HTTP/2 connection" : "HTTP/1.1"}), ` +
        `source parallelism 2, checkpoints every ${intervalMs} ms`,
    );
    console.log(
      `  ${(records / seconds).toFixed(0)} acknowledged POSTs/s (${load.posts} attempts in ` +
        `${seconds.toFixed(1)} s); answer latency p50 ${
          percentile(load.latencies, 0.5).toFixed(0)
        } ms, p99 ${percentile(load.latencies, 0.99).toFixed(0)} ms; with retries p50 ${
          percentile(load.endToEnd, 0.5).toFixed(0)
        } ms, p99 ${percentile(load.endToEnd, 0.99).toFixed(0)} ms`,
    );
    console.log(
      `  CPU ms per 1,000 POSTs: client ${cpu.client}, master ${cpu.master}, workers ` +
        `${cpu.workers}; checkpoint duration median ${median(durations)} ms ` +
        `(last ${durations.length} completed); records per reader since ` +
        `the restart ${perReader}`,
    );
    console.log(
      `  kill -9 of a reader's worker at ${
        ackedAtKill < 0 ? "(no kill)" : `${ackedAtKill} acknowledged`
      }, ${restarts} restart(s); ${load.resent} records sent again (${failures}); ` +
        `output: ${load.ackedCount} acknowledged, ${missing} missing, ${duplicates} duplicates (${unexplained} of records sent once)`,
    );
    if (missing > 0) throw new Error(`${missing} acknowledged records missing from the output`);
    if (unexplained > 0) throw new Error(`${unexplained} duplicates of records sent once`);
  } finally {
    client?.close();
    await cluster.stop();
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
}
