/**
 * `deno task bench latency`: end-to-end record latency at a fixed input rate,
 * for each buffer timeout in `--timeouts`. The job (bench/jobs/latency_job.ts)
 * stamps each record with its creation time in a paced generator, sends it
 * through a keyBy to a map and a sink that measures now - created. It runs at
 * parallelism 2 on a master and two workers of one slot each, so half the
 * records stay in their slot (from the source task to the sink task of one
 * worker) and half cross to the other worker process (the HTTP/2 data plane).
 * Records due in the first `--warmup-ms` of each source are not counted.
 *
 * Latency is measured from each record's creation, as Flink's latency markers
 * do; a second figure measures it from the time the generator's rate schedule
 * made the record due, so a source that emits in bursts or falls behind its
 * rate shows. The baseline, measured in the same run, is the transport floor:
 * half the rate (what the job sends between its processes) as one record per
 * HTTP/2 DATA frame between two processes' main threads.
 * @module
 */

import { parseArgs } from "node:util";
import { postStream } from "../nodes/rpc/h2_client.ts";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import { freePort, startCluster, type TestCluster } from "../tests/_helpers/cluster.ts";

/** Histogram buckets per ms, as the job reports them (10 µs each). */
const BUCKETS_PER_MS = 100;

interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

interface SinkPart extends Summary {
  readonly min: number;
  readonly hist: [number, number][];
}

interface SinkReport {
  readonly subtask: number;
  readonly local: SinkPart;
  readonly remote: SinkPart;
  readonly paced: SinkPart;
}

/** Percentiles of the merged histograms of `parts`. */
export function mergeLatencies(parts: readonly SinkPart[]): Summary {
  const merged = new Map<number, number>();
  for (const p of parts) for (const [b, c] of p.hist) merged.set(b, (merged.get(b) ?? 0) + c);
  const sorted = [...merged].sort((a, b) => a[0] - b[0]);
  const count = sorted.reduce((n, [, c]) => n + c, 0);
  const at = (q: number) => {
    const rank = Math.ceil(q * count);
    let seen = 0;
    for (const [b, c] of sorted) {
      seen += c;
      if (seen >= rank) return b / BUCKETS_PER_MS;
    }
    return NaN;
  };
  const max = parts.reduce((m, p) => p.count > 0 ? Math.max(m, p.max) : m, -Infinity);
  return { count, p50: at(0.5), p99: at(0.99), p999: at(0.999), max };
}

export interface LatencyRunOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly bufferTimeoutMs: number;
  readonly warmupMs: number;
  /** More `spate run` flags (network tuning). */
  readonly runFlags?: readonly string[];
}

export interface LatencyRun {
  readonly all: Summary;
  readonly local: Summary;
  readonly remote: Summary;
  /** All records, measured from the time the generator's rate schedule made them due. */
  readonly paced: Summary;
  /** Smallest latency seen (a negative one would mean the clocks disagree). */
  readonly minMs: number;
  readonly jobMs: number;
  /** Time the sources waited for credit (summed over subtasks). */
  readonly sourceBackpressuredMs: number;
}

/** Runs the latency job once on `cluster` (two workers of one slot each). */
export async function latencyRun(cluster: TestCluster, o: LatencyRunOptions): Promise<LatencyRun> {
  const marks = cluster.workers.map((w) => w.stderr().length);
  const res = await runCli([
    "run",
    "bench/jobs/latency_job.ts",
    "--master",
    cluster.url,
    "--parallelism",
    "2",
    "--buffer-timeout",
    String(o.bufferTimeoutMs),
    ...o.runFlags ?? [],
    "--json",
    "--",
    "--rate",
    String(o.rate),
    "--seconds",
    String(o.seconds),
    "--warmup-ms",
    String(o.warmupMs),
  ]);
  if (res.code !== 0) throw new Error(`latency job failed: ${res.stderr}`);
  const summary = runSummary(res);
  await checkPlacement(cluster, summary.jobId);
  // The sinks' reports reach the workers' stderr readers shortly after the job ends.
  let reports: SinkReport[] = [];
  for (let i = 0; i < 100 && reports.length < 2; i++) {
    const text = cluster.workers.map((w, k) => w.stderr().slice(marks[k])).join("\n");
    reports = [...text.matchAll(/latency-sink (\{.*\})/g)].map((m) => JSON.parse(m[1]));
    if (reports.length < 2) await new Promise((r) => setTimeout(r, 20));
  }
  if (reports.length !== 2) throw new Error(`expected 2 sink reports, got ${reports.length}`);
  const local = reports.map((r) => r.local), remote = reports.map((r) => r.remote);
  return {
    all: mergeLatencies([...local, ...remote]),
    local: mergeLatencies(local),
    remote: mergeLatencies(remote),
    paced: mergeLatencies(reports.map((r) => r.paced)),
    minMs: Math.min(...reports.flatMap((r) => [r.local.min, r.remote.min])),
    jobMs: summary.durationMs,
    sourceBackpressuredMs: summary.vertices[0].backpressuredMs,
  };
}

/** Subtask k of the source and of the sink must share worker k, and the two workers differ. */
async function checkPlacement(cluster: TestCluster, jobId: string): Promise<void> {
  const details = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
  const placement = details.vertices.map((v: { subtasks: { worker: string }[] }) =>
    v.subtasks.map((s) => s.worker).join(",")
  );
  const [source, sink] = placement;
  if (placement.length !== 2 || source !== sink || source.split(",")[0] === source.split(",")[1]) {
    throw new Error(
      `source and sink subtask k must run on worker k of two, got ${JSON.stringify(placement)}`,
    );
  }
}

/** Bytes of one raw record: its index and its creation time. */
const RAW_RECORD_BYTES = 16;

/**
 * The baseline's server: answers a POST with `count` records at `perSecond`,
 * each written as its own chunk (an HTTP/2 DATA frame) the moment the pacing
 * allows it, stamped then. Pacing checks every millisecond.
 */
function serveRawStamps(port: number, perSecond: number, count: number): void {
  Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("ready") }, (req) => {
    // Credits: read and dropped (the read fails once the client hangs up).
    req.body?.pipeTo(new WritableStream()).catch(() => {});
    const startMs = performance.now();
    let sent = 0, timer: ReturnType<typeof setTimeout> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        const tick = () => {
          const due = Math.min(count, Math.floor((performance.now() - startMs) * perSecond / 1000));
          for (; sent < due; sent++) {
            const record = new Float64Array([sent, performance.timeOrigin + performance.now()]);
            c.enqueue(new Uint8Array(record.buffer));
          }
          if (sent < count) timer = setTimeout(tick, 1);
          else c.close();
        };
        tick();
      },
      cancel: () => clearTimeout(timer),
    });
    return new Response(body);
  });
}

/**
 * The transport floor: `perSecond` records for `seconds` s from another
 * process's main thread over one h2c stream, read by spate's HTTP/2 client
 * on this main thread, which answers each with an 8-byte credit (as a
 * consumer of spate's data plane does). Latency from stamp to read.
 */
async function rawH2cLatency(perSecond: number, seconds: number, warmupMs: number) {
  const port = freePort(), count = Math.round(perSecond * seconds);
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--raw-h2c-server", `${port},${perSecond},${count}`],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = server.stdout.getReader();
    await reader.read(); // "ready"
    reader.releaseLock();
    let credits!: ReadableStreamDefaultController<Uint8Array>;
    const creditStream = new ReadableStream<Uint8Array>({ start: (c) => void (credits = c) });
    const res = await postStream(`http://127.0.0.1:${port}`, "/", creditStream);
    const hist = new Map<number, number>();
    let n = 0, max = -Infinity, min = Infinity;
    let pending = new Uint8Array(0);
    for await (const chunk of res.body) {
      const nowMs = performance.timeOrigin + performance.now();
      const bytes = pending.length === 0 ? chunk : new Uint8Array([...pending, ...chunk]);
      const whole = bytes.length - bytes.length % RAW_RECORD_BYTES;
      const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
      for (let at = 0; at < whole; at += RAW_RECORD_BYTES) {
        credits.enqueue(new Uint8Array(8));
        const index = view.getFloat64(at, true);
        if ((index + 1) * 1000 / perSecond <= warmupMs) continue;
        const ms = nowMs - view.getFloat64(at + 8, true);
        const b = Math.round(ms * BUCKETS_PER_MS);
        hist.set(b, (hist.get(b) ?? 0) + 1);
        n++;
        max = Math.max(max, ms);
        min = Math.min(min, ms);
      }
      pending = bytes.slice(whole);
    }
    credits.close();
    const part = { count: n, p50: 0, p99: 0, p999: 0, max, min, hist: [...hist] };
    return { ...mergeLatencies([part]), min };
  } finally {
    server.kill();
    await server.status;
  }
}

/**
 * Options: `--rate` (records/s over both sources, default 10,000),
 * `--seconds` (per run, default 10), `--timeouts` (buffer timeouts in ms,
 * default "0,100"), `--warmup-ms` (default 1000), `--data-planes` (the
 * workers' `--data-plane` of each cluster in turn, default "relay,direct").
 */
export async function latencyBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      rate: { type: "string", default: "10000" },
      seconds: { type: "string", default: "10" },
      timeouts: { type: "string", default: "0,100" },
      "warmup-ms": { type: "string", default: "1000" },
      "data-planes": { type: "string", default: "relay,direct" },
    },
  });
  const rate = Number(values.rate), seconds = Number(values.seconds);
  const warmupMs = Number(values["warmup-ms"]);
  const timeouts = values.timeouts.split(",").map(Number);
  const f = (x: number) => x.toFixed(2).padStart(9);
  const row = (rate: string, timeout: string, what: string, sum: Summary) =>
    console.log(
      `  ${rate.padStart(6)} ${timeout.padStart(8)} ${String(sum.count).padStart(8)}  ${
        what.padEnd(32)
      }${f(sum.p50)} ${f(sum.p99)} ${f(sum.p999)} ${f(sum.max)}`,
    );
  console.log(
    `Latency at ${rate} records/s for ${seconds} s (the first ${warmupMs} ms not counted): ` +
      `generator -> keyBy -> map -> sink at parallelism 2 on 2 workers x 1 slot ` +
      `(load average ${Deno.loadavg()[0].toFixed(2)} on ${navigator.hardwareConcurrency} cores)`,
  );
  console.log(
    "  rate/s  timeout  records  path                               p50 ms    p99 ms  p99.9 ms    max ms",
  );
  // The baseline carries what the job sends between its processes: half its records.
  const raw = await rawH2cLatency(rate / 2, seconds, warmupMs);
  row(String(rate / 2), "-", "raw h2c stream (baseline)", raw);
  for (const plane of values["data-planes"].split(",")) {
    console.log(`  --data-plane ${plane}`);
    await latencyRuns(plane, { rate, seconds, warmupMs, timeouts }, row);
  }
}

/** The runs of the latency bench on a cluster whose workers use data plane `plane`. */
async function latencyRuns(
  plane: string,
  { rate, seconds, warmupMs, timeouts }: {
    rate: number;
    seconds: number;
    warmupMs: number;
    timeouts: number[];
  },
  row: (rate: string, timeout: string, what: string, sum: Summary) => void,
): Promise<void> {
  const cluster = await startCluster(2, 1, [], undefined, { workerArgs: ["--data-plane", plane] });
  try {
    for (const bufferTimeoutMs of timeouts) {
      const run = await latencyRun(cluster, { rate, seconds, bufferTimeoutMs, warmupMs });
      const t = `${bufferTimeoutMs} ms`;
      row(String(rate), t, "all, from creation", run.all);
      row("", "", "  in-slot", run.local);
      row("", "", "  cross-process (HTTP/2)", run.remote);
      row("", "", "all, from due time (with pacing)", run.paced);
      console.log(
        `${" ".repeat(27)}(job ${run.jobMs} ms for ${seconds} s of input; sources waited ` +
          `${run.sourceBackpressuredMs} ms for credit)`,
      );
      if (run.minMs < 0) console.log(`  (a negative latency, ${run.minMs} ms: clocks disagree)`);
    }
  } finally {
    await cluster.stop();
  }
}

if (import.meta.main && Deno.args[0] === "--raw-h2c-server") {
  const [port, perSecond, count] = Deno.args[1].split(",").map(Number);
  serveRawStamps(port, perSecond, count);
}
