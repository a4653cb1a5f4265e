/**
 * `deno task bench shuffle`: shuffle throughput between two worker processes
 * (a source on one, a counting sink on the other, every record crossing the
 * HTTP/2 data plane), and in the same run the raw throughput of one h2c
 * stream between two Deno processes, read by `fetch` and by spate's own
 * HTTP/2 client.
 *
 * spate's main figure is the transfer rate inside the job: the source's bytes
 * out over the time from the sink's first record to the end of its input
 * (the job reports both on the sink worker's stderr), so job start-up and
 * shutdown do not count. The whole-job rate (bytes over the job's duration)
 * is printed too. Each figure is the median of `--runs` runs.
 * @module
 */

import { parseArgs } from "node:util";
import { postStream } from "../nodes/rpc/h2_client.ts";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import { freePort, startCluster, type TestCluster } from "../tests/_helpers/cluster.ts";

/**
 * MB/s of one HTTP/2 stream of `mb` MiB from a server process to this one,
 * by `fetch` and by node:http2: h2c, or with `tls` (a certificate, its key
 * and CA files) over TLS on spate's TLS server, the CA set as this process's
 * client TLS.
 */
export async function rawH2c(
  mb: number,
  tls?: { cert: string; key: string; ca: string },
): Promise<{ fetch: number; node: number }> {
  const port = freePort();
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./raw_h2c_server.ts", import.meta.url).pathname,
      String(port),
      ...(tls === undefined ? [] : [tls.cert, tls.key]),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const ca = tls === undefined ? [] : [Deno.readTextFileSync(tls.ca)];
  const client = Deno.createHttpClient({ http1: false, http2: true, caCerts: ca });
  try {
    const reader = server.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    const url = `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
    const rate = async (open: () => Promise<ReadableStream<Uint8Array>>) => {
      const start = performance.now();
      let bytes = 0;
      for await (const chunk of await open()) bytes += chunk.length;
      return bytes / 1e6 / ((performance.now() - start) / 1000);
    };
    const viaFetch = await rate(async () =>
      (await fetch(`${url}/?mb=${mb}`, { method: "POST", body: "", client })).body!
    );
    const viaNode = await rate(async () =>
      (await postStream(url, `/?mb=${mb}`, ReadableStream.from([]))).body
    );
    return { fetch: viaFetch, node: viaNode };
  } finally {
    client.close();
    server.kill();
    await server.status;
  }
}

/** What a shuffle run needs of a cluster: its URL, its workers' logs, its REST API. */
export interface BenchCluster {
  readonly url: string;
  readonly workers: readonly { stderr(): string }[];
  /** The REST answer at `path`. */
  rest(path: string): Promise<Record<string, unknown>>;
  /** Flags `spate run` needs to reach it (TLS). */
  readonly clientFlags: readonly string[];
}

/** A plain-HTTP test cluster as a BenchCluster. */
export function plainBenchCluster(cluster: TestCluster): BenchCluster {
  return {
    url: cluster.url,
    workers: cluster.workers,
    rest: async (path) => await (await fetch(`${cluster.url}${path}`)).json(),
    clientFlags: [],
  };
}

/** One shuffle job: records and bytes sent, the job's and the transfer's durations. */
export interface Run {
  readonly records: number;
  readonly bytes: number;
  readonly jobMs: number;
  readonly transferMs: number;
  /** Share of the (source, sink) subtask pairs on different workers (1 at parallelism 1). */
  readonly crossShare: number;
}

/**
 * Runs the shuffle job once on `cluster`: `records` records of `payload`
 * bytes, at `parallelism` (each side; the sinks' reports are summed, the
 * transfer spanning the first sink's first record to the last sink's end).
 */
export async function shuffleRun(
  cluster: BenchCluster,
  records: number,
  payload: number,
  parallelism = 1,
): Promise<Run> {
  const marks = cluster.workers.map((w) => w.stderr().length);
  const res = await runCli([
    "run",
    "bench/jobs/shuffle_job.ts",
    "--master",
    cluster.url,
    ...cluster.clientFlags,
    "--json",
    "-p",
    String(parallelism),
    "--",
    "--records",
    String(records),
    "--payload-bytes",
    String(payload),
  ]);
  if (res.code !== 0) throw new Error(`shuffle job failed: ${res.stderr}`);
  const summary = runSummary(res);
  const details = await cluster.rest(`/api/v1/jobs/${summary.jobId}`);
  const placed = (details.vertices as { subtasks: { worker: string }[] }[]).map((v) =>
    v.subtasks.map((s) => s.worker)
  );
  if (placed.length !== 2) throw new Error(`expected a source and a sink vertex, got ${placed}`);
  const [sources, sinks] = placed;
  const crossing = sources.flatMap((a) => sinks.filter((b) => b !== a)).length;
  if (crossing === 0) throw new Error(`no source and sink on different workers: ${placed}`);
  // The sinks' reports reach the workers' stderr readers shortly after the job ends.
  type Report = { records: number; firstMs: number; lastMs: number };
  let reports: Report[] = [];
  for (let i = 0; i < 100 && reports.length < parallelism; i++) {
    const text = cluster.workers.map((w, k) => w.stderr().slice(marks[k])).join("\n");
    reports = [...text.matchAll(/shuffle-sink (\{.*\})/g)].map((m) => JSON.parse(m[1]));
    if (reports.length < parallelism) await new Promise((r) => setTimeout(r, 20));
  }
  if (reports.length < parallelism) {
    throw new Error(`${reports.length} of ${parallelism} sinks reported their timing`);
  }
  const seen = reports.reduce((t, r) => t + r.records, 0);
  if (seen !== records) throw new Error(`the sinks saw ${seen} of ${records}`);
  const firstMs = Math.min(...reports.filter((r) => r.records > 0).map((r) => r.firstMs));
  return {
    records,
    bytes: summary.vertices[0].bytesOut,
    jobMs: summary.durationMs,
    transferMs: Math.max(...reports.map((r) => r.lastMs)) - firstMs,
    crossShare: crossing / (sources.length * sinks.length),
  };
}

/** The middle value of `xs`. */
export const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs the shuffle benchmark and prints its figures. Options: `--mb` (MiB the
 * source sends per run, default 1024: runs of a few seconds, so JIT warm-up
 * weighs little), `--payload` (bytes of each record's string payload, default
 * 100), `--runs` (default 3), `--raw-mb` (MiB of the raw stream, default as
 * many as `--mb`; each round times it right before its shuffles, and a plane's
 * share of raw is the median of its rounds' ratios), `--data-planes` (the workers' `--data-plane` of each
 * cluster, comma-separated, default `relay,direct`; `master-relay` is the direct
 * plane with both workers `--no-inbound`, so the master relays every buffer:
 * one cluster each, taking turns run by run; each prints its workers' CPU time
 * per MB shuffled, the master's included for `master-relay`), `--slots` (slots
 * per worker, default 1; the job runs at that parallelism, so the source and
 * the sink each take as many slots).
 */
export async function shuffleBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      mb: { type: "string", default: "1024" },
      payload: { type: "string", default: "100" },
      runs: { type: "string", default: "3" },
      "raw-mb": { type: "string" },
      "data-planes": { type: "string", default: "relay,direct" },
      slots: { type: "string", default: "1" },
    },
  });
  const mb = Number(values.mb), payload = Number(values.payload), runs = Number(values.runs);
  const slots = Number(values.slots);
  if (!Number.isInteger(slots) || slots < 1) {
    throw new Error(`--slots must be a positive integer, got ${values.slots}`);
  }
  // The raw stream sends as much as a shuffle run, so both are timed at the same length.
  const rawMb = Number(values["raw-mb"] ?? values.mb);
  const raws: { fetch: number; node: number }[] = [];
  // One cluster per data plane, started side by side; they take turns, run by run.
  const planes = values["data-planes"].split(",");
  const clusters = await Promise.all(
    planes.map((plane) => startCluster(2, slots, [], undefined, { workerArgs: planeArgs(plane) })),
  );
  try {
    // A warm-up run each, which also gives the size of a record on the wire.
    let perRecord = 0;
    for (const c of clusters) {
      const warm = await shuffleRun(plainBenchCluster(c), 100_000, payload, slots);
      perRecord = warm.bytes / warm.records;
    }
    const records = Math.round(mb * 1024 * 1024 / perRecord);
    const done: Run[][] = planes.map(() => []);
    const cpuPerMb: number[][] = planes.map(() => []);
    // Each round times the raw stream right before the shuffles it is compared with: the
    // machine's speed drifts by tens of percent over a minute, so one raw figure for all
    // rounds would compare runs of different phases.
    const ratios: number[][] = planes.map(() => []);
    for (let r = 0; r < runs; r++) {
      const raw = await rawH2c(rawMb);
      raws.push(raw);
      for (const [k, c] of clusters.entries()) {
        const relays = planes[k] === MASTER_RELAY ? [c.master] : [];
        const pids = [...c.workers, ...relays].map((p) => p.child.pid);
        const before = cpuMs(pids);
        const run = await shuffleRun(plainBenchCluster(c), records, payload, slots);
        cpuPerMb[k].push((cpuMs(pids) - before) / (run.bytes / 1e6));
        done[k].push(run);
        ratios[k].push(run.bytes / 1e6 / (run.transferMs / 1000) / Math.max(raw.fetch, raw.node));
      }
    }
    const raw = { fetch: median(raws.map((x) => x.fetch)), node: median(raws.map((x) => x.node)) };
    const pad = (x: number) => x.toFixed(0).padStart(6);
    console.log(
      `Shuffle between two worker processes: ${records} records of ~${
        perRecord.toFixed(0)
      } bytes on the wire (${(done[0][0].bytes / 1e6).toFixed(0)} MB) per run, median of ${runs}`,
    );
    if (slots > 1) {
      const shares = done.flat().map((d) => `${(d.crossShare * 100).toFixed(0)}%`);
      console.log(
        `  ${slots} slots per worker, parallelism ${slots}: source-sink pairs across ` +
          `processes ${[...new Set(shares)].join(", ")} (the rest stay in one process)`,
      );
    }
    console.log(`  raw h2c one stream, fetch       ${pad(raw.fetch)} MB/s  (median of the rounds)`);
    console.log(
      `  raw h2c one stream, node:http2  ${pad(raw.node)} MB/s  (rounds ${
        raws.map((x) => x.node.toFixed(0)).join("/")
      })`,
    );
    for (const [k, plane] of planes.entries()) {
      const rates = done[k].map((d) => d.bytes / 1e6 / (d.transferMs / 1000));
      const inJob = median(rates);
      const whole = median(done[k].map((d) => d.bytes / 1e6 / (d.jobMs / 1000)));
      console.log(
        `  spate shuffle, --data-plane ${plane.padEnd(12)} ${pad(inJob)} MB/s  ${
          (inJob * 1e6 / perRecord / 1e6).toFixed(2)
        } M records/s  (${(median(ratios[k]) * 100).toFixed(0)}% of raw, median of the rounds' ${
          ratios[k].map((x) => `${(x * 100).toFixed(0)}%`).join("/")
        }; runs ${rates.map((x) => x.toFixed(0)).join("/")})`,
      );
      console.log(
        `    ${
          planes[k] === MASTER_RELAY ? "workers' + master's" : "workers'"
        } CPU per MB shuffled ${median(cpuPerMb[k]).toFixed(2)} ms  (runs ${
          cpuPerMb[k].map((x) => x.toFixed(2)).join("/")
        })`,
      );
      console.log(
        `    whole job                      ${pad(whole)} MB/s  (start-up and shutdown ` +
          `included; jobs of ${done[k].map((d) => d.jobMs).join(", ")} ms)`,
      );
    }
  } finally {
    await Promise.all(clusters.map((c) => c.stop()));
  }
}

/** The `--data-planes` entry whose workers accept no connections: the master relays. */
const MASTER_RELAY = "master-relay";

/** The workers' flags of a `--data-planes` entry. */
function planeArgs(plane: string): string[] {
  if (plane === MASTER_RELAY) return ["--data-plane", "direct", "--no-inbound"];
  return ["--data-plane", plane];
}

/** CPU time (user + system, ms) the processes `pids` used so far, from /proc (Linux). */
export function cpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}
