/**
 * `deno task bench nexmark` / `spate bench nexmark`: Nexmark queries on spate
 * against the same query logic as one plain JS loop, in the same run.
 *
 * The job (`bench/nexmark/job.ts`) runs on a local cluster this bench starts
 * (a master and one worker with as many slots as the parallelism; `--local`,
 * the default) or on a running cluster (`--master URL`). Its figure is events
 * over the span from its first subtask opening to its last one ending (slot
 * start-up excluded); events/s per core divides by the parallelism (one slot
 * is one thread). The raw loop uses the same generator, materializes every
 * event (fresh objects and strings, in batches of 1024), runs the query's
 * `raw` logic and folds every emitted field into a checksum; the job's
 * checksum must equal it, so neither side can skip work.
 * @module
 */

import { parseArgs } from "node:util";
import { runCli } from "../tests/_helpers/cli.ts";
import { latestJobDetails, startCluster, type TestCluster } from "../tests/_helpers/cluster.ts";
import { DEFAULT_NEXMARK_CONFIG, eventBatches, type NexmarkConfig } from "./nexmark/generator.ts";
import { QUERIES, queryNamed } from "./nexmark/queries/mod.ts";
import { foldRow, type NexmarkQuery } from "./nexmark/queries/query.ts";

interface Measured {
  readonly rows: number;
  readonly checksum: number;
  readonly ms: number;
  /** Per subtask, the time of every N-th row (the job's `--timeline N`). */
  readonly timelines?: number[][];
}

const RAW_BATCH = 1024;
const RAW_WARMUP_EVENTS = 500_000;

/** Events per query unless `--events` says otherwise. */
const DEFAULT_EVENTS = 10_000_000;

/** The query as one plain loop over freshly generated batches. */
export function rawRun(q: NexmarkQuery, config: NexmarkConfig, events: number): Measured {
  let rows = 0, checksum = 0;
  const start = performance.now();
  q.raw(eventBatches(config, 0, events, RAW_BATCH), (row) => {
    rows++;
    checksum = foldRow(checksum, row);
  });
  return { rows, checksum, ms: performance.now() - start };
}

/** A progress bar on a terminal (source records out of `events`) until `done` settles. */
async function showProgress(url: string, label: string, events: number, done: Promise<unknown>) {
  if (!Deno.stderr.isTerminal()) return;
  let finished = false;
  done.finally(() => finished = true);
  const enc = new TextEncoder();
  const width = 30;
  while (!finished) {
    await new Promise((r) => setTimeout(r, 250));
    const d = await latestJobDetails(url).catch(() => undefined);
    const emitted = d?.state === "RUNNING" ? Number(d.vertices?.[0]?.recordsOut ?? 0) : 0;
    const f = Math.min(1, emitted / events);
    const bar = "#".repeat(Math.round(f * width)).padEnd(width, ".");
    Deno.stderr.writeSync(enc.encode(`\r${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}%`));
  }
  Deno.stderr.writeSync(enc.encode(`\r${" ".repeat(label.length + width + 8)}\r`));
}

/** Runs query `q` as a job on the cluster at `url`; its figure is the job's own span. */
export async function jobRun(
  url: string,
  q: NexmarkQuery,
  events: number,
  parallelism: number,
  config: NexmarkConfig,
  jobArgs: string[] = [],
): Promise<Measured> {
  const run = runCli([
    "run",
    "bench/nexmark/job.ts",
    "--master",
    url,
    "--mode",
    "streaming",
    "-p",
    String(parallelism),
    "--",
    "--query",
    q.name,
    "--events",
    String(events),
    "--seed",
    String(config.seed),
    "--rate",
    String(config.eventsPerSecond),
    ...jobArgs,
  ]);
  await showProgress(url, `${q.name} p${parallelism}`, events, run);
  const res = await run;
  if (res.code !== 0) throw new Error(`nexmark ${q.name} failed: ${res.stderr}`);
  const m = res.stdout.match(/nexmark-result (\{.*\})/);
  if (!m) throw new Error(`nexmark ${q.name} printed no result: ${res.stdout}\n${res.stderr}`);
  const r = JSON.parse(m[1]);
  return { rows: r.rows, checksum: r.checksum, ms: r.endMs - r.startMs, timelines: r.timelines };
}

interface Line {
  readonly query: string;
  readonly parallelism: number;
  /** Threads the job could use at once: its slots, or the machine's cores, the fewer. */
  readonly cores: number;
  readonly events: number;
  readonly jobPerSecond: number;
  readonly rawPerSecond: number;
  readonly rows: number;
}

const mps = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const median = <T>(xs: T[], by: (x: T) => number) =>
  [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)];

/**
 * Options: `--query qN[,qM...]` or `--all`, `--events N` (default 10,000,000
 * for every query: long enough that start-up and JIT warm-up, which the
 * job's figure includes, weigh little), `--parallelism 1[,2]`, `--local`
 * (default: a master and `--workers W` worker processes, default 1, of
 * `--slots S` slots each, default enough for the highest parallelism, on
 * `--slot-threads T` Web Workers each, default one per slot) or `--master URL`, `--seed S`, `--rate R` (events per second of event time),
 * `--runs N` (median of N, default 1), `--out FILE` (the table as markdown).
 * Per core divides by the slots' threads or the machine's cores, the fewer.
 */
export async function nexmarkBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      query: { type: "string" },
      all: { type: "boolean", default: false },
      events: { type: "string" },
      parallelism: { type: "string", default: "1" },
      local: { type: "boolean", default: false },
      workers: { type: "string", default: "1" },
      slots: { type: "string" },
      "slot-threads": { type: "string" },
      master: { type: "string" },
      seed: { type: "string", default: "0" },
      rate: { type: "string", default: String(DEFAULT_NEXMARK_CONFIG.eventsPerSecond) },
      runs: { type: "string", default: "1" },
      out: { type: "string" },
    },
  });
  if (values.local && values.master !== undefined) {
    throw new Error("--local and --master exclude each other");
  }
  if (!values.all && values.query === undefined) {
    throw new Error(
      `give --query qN (one of ${QUERIES.map((q) => q.name).join(", ")}) or --all`,
    );
  }
  const queries = values.all ? [...QUERIES] : values.query!.split(",").map(queryNamed);
  const parallelisms = values.parallelism.split(",").map(Number);
  if (parallelisms.some((p) => !Number.isInteger(p) || p < 1)) {
    throw new Error(`--parallelism: positive integers, got '${values.parallelism}'`);
  }
  const config: NexmarkConfig = {
    ...DEFAULT_NEXMARK_CONFIG,
    seed: Number(values.seed),
    eventsPerSecond: Number(values.rate),
  };
  const runs = Number(values.runs);
  const workers = Number(values.workers);
  const slots = Number(values.slots ?? Math.ceil(Math.max(...parallelisms) / workers));
  if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(slots) || slots < 1) {
    throw new Error(`--workers and --slots: positive integers, got ${workers} and ${slots}`);
  }
  const threads = values["slot-threads"] === undefined ? slots : Number(values["slot-threads"]);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new Error(`--slot-threads: a positive integer, got '${values["slot-threads"]}'`);
  }
  let cluster: TestCluster | undefined;
  const url = values.master ??
    (cluster = await startCluster(workers, slots, [], undefined, {
      workerArgs: ["--slot-threads", String(threads)],
    })).url;
  const lines: Line[] = [];
  try {
    for (const q of queries) {
      const events = Number(values.events ?? DEFAULT_EVENTS);
      // A warm-up pass first, so the raw loop is measured with its code optimized.
      rawRun(q, config, Math.min(events, RAW_WARMUP_EVENTS));
      const raws: Measured[] = [];
      for (let r = 0; r < runs; r++) raws.push(rawRun(q, config, events));
      const raw = median(raws, (x) => x.ms);
      for (const p of parallelisms) {
        const jobs: Measured[] = [];
        for (let r = 0; r < runs; r++) jobs.push(await jobRun(url, q, events, p, config));
        const job = median(jobs, (x) => x.ms);
        if (job.rows !== raw.rows || job.checksum !== raw.checksum) {
          throw new Error(
            `${q.name} p${p}: the job's ${job.rows} rows (checksum ${job.checksum}) differ from ` +
              `the raw loop's ${raw.rows} (checksum ${raw.checksum})`,
          );
        }
        const line: Line = {
          query: q.name,
          parallelism: p,
          cores: Math.min(p, workers * Math.min(threads, slots), navigator.hardwareConcurrency),
          events,
          jobPerSecond: events / (job.ms / 1000),
          rawPerSecond: events / (raw.ms / 1000),
          rows: job.rows,
        };
        lines.push(line);
        console.log(
          `${q.name} p${p}: ${events.toLocaleString()} events, ${mps(line.jobPerSecond)} ` +
            `(${mps(line.jobPerSecond / line.cores)} per core); raw loop ` +
            `${mps(line.rawPerSecond)}; ` +
            `${(line.jobPerSecond / line.cores / line.rawPerSecond * 100).toFixed(0)}% of raw ` +
            `per core; ` +
            `${job.rows.toLocaleString()} rows, checksum ${job.checksum} = raw`,
        );
      }
    }
  } finally {
    await cluster?.stop();
  }
  const table = [
    "| query | parallelism | events | spate events/s | per core | raw loop (1 core) | per core vs raw |",
    "| ----- | ----------- | ------ | -------------- | -------- | ----------------- | --------------- |",
    ...lines.map((l) =>
      `| ${l.query} | ${l.parallelism} | ${l.events.toLocaleString()} | ${mps(l.jobPerSecond)} | ${
        mps(l.jobPerSecond / l.cores)
      } | ${mps(l.rawPerSecond)} | ${
        (l.jobPerSecond / l.cores / l.rawPerSecond * 100).toFixed(0)
      }% |`
    ),
  ].join("\n");
  console.log(`\n${table}`);
  if (values.out !== undefined) await Deno.writeTextFile(values.out, `${table}\n`);
}
