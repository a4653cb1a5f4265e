/**
 * `deno task bench windows`: tumbling and sliding event-time window
 * aggregation (a sum per key and window) on one slot, against a raw JS loop
 * computing the same windows in the same run. The loop makes the same event
 * objects, keeps a map of sums per window, emits each window once the
 * watermark (the newest timestamp) passes its end, and folds every result
 * into the checksum the job's sink computes, so it cannot skip work; the two
 * checksums must match.
 *
 * The job's figure is events over the span from its first event to the end
 * of its input, measured inside the slot (start-up and shutdown excluded);
 * the whole job's time is printed too. The job runs on a master and one
 * worker with one slot: source, window operator and sink share one thread,
 * so events/s is also events/s per core. Each figure is the median of
 * `--runs` runs.
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import { startCluster, type TestCluster } from "../tests/_helpers/cluster.ts";
import { benchEvent, windowChecksum } from "./window_events.ts";
import { windowsParallelismBench } from "./windows_parallelism.ts";

interface Shape {
  readonly kind: "tumbling" | "sliding";
  readonly events: number;
  readonly keys: number;
  readonly perMs: number;
  readonly windowMs: number;
  readonly slideMs: number;
  /** The AggregateFunction has `merge` (sliding windows then share slices). */
  readonly merge: boolean;
}

interface Result {
  readonly windows: number;
  readonly checksum: number;
  readonly ms: number;
  readonly jobMs?: number;
}

/** The same windows in one plain loop. */
export function rawWindows(s: Shape): Result {
  const start = performance.now();
  const slide = s.kind === "sliding" ? s.slideMs : s.windowMs;
  const perEvent = s.windowMs / slide;
  const open = new Map<number, Map<number, number>>(); // window start -> key -> sum
  let windows = 0, checksum = 0, nextFire = slide;
  const fireUpTo = (wm: number) => {
    for (const [ws, sums] of open) {
      const end = ws + s.windowMs;
      if (end > wm) continue;
      for (const [key, sum] of sums) {
        windows++;
        checksum = windowChecksum(checksum, end, key, sum);
      }
      open.delete(ws);
    }
  };
  for (let i = 0; i < s.events; i++) {
    const e = benchEvent(i, s.keys, s.perMs);
    if (e.ts >= nextFire) {
      fireUpTo(e.ts);
      nextFire = Math.floor(e.ts / slide) * slide + slide;
    }
    const last = Math.floor(e.ts / slide) * slide;
    for (let w = 0; w < perEvent; w++) {
      const ws = last - w * slide;
      let sums = open.get(ws);
      if (sums === undefined) open.set(ws, sums = new Map());
      sums.set(e.key, (sums.get(e.key) ?? 0) + e.value);
    }
  }
  fireUpTo(Infinity);
  return { windows, checksum, ms: performance.now() - start };
}

async function jobRun(cluster: TestCluster, s: Shape): Promise<Result> {
  const marks = cluster.workers.map((w) => w.stderr().length);
  const res = await runCli([
    "run",
    "bench/jobs/window_job.ts",
    "--master",
    cluster.url,
    "--mode",
    "streaming",
    "--json",
    "--",
    "--events",
    String(s.events),
    "--keys",
    String(s.keys),
    "--per-ms",
    String(s.perMs),
    "--kind",
    s.kind,
    "--window-ms",
    String(s.windowMs),
    "--slide-ms",
    String(s.slideMs),
    "--merge",
    String(s.merge),
  ]);
  if (res.code !== 0) throw new Error(`window job failed: ${res.stderr}`);
  const summary = runSummary(res);
  let sink: { windows: number; checksum: number; firstMs: number; lastMs: number } | undefined;
  for (let i = 0; i < 100 && sink === undefined; i++) {
    const text = cluster.workers.map((w, k) => w.stderr().slice(marks[k])).join("\n");
    const m = text.match(/window-sink (\{.*\})/);
    if (m) sink = JSON.parse(m[1]);
    else await new Promise((r) => setTimeout(r, 20));
  }
  if (sink === undefined) throw new Error("the sink did not report");
  return {
    windows: sink.windows,
    checksum: sink.checksum,
    ms: sink.lastMs - sink.firstMs,
    jobMs: summary.durationMs,
  };
}

const median = <T>(xs: T[], by: (x: T) => number) =>
  [...xs].sort((a, b) => by(a) - by(b))[Math.floor(xs.length / 2)];

/**
 * Options: `--events` (default 4,000,000), `--keys` (1000), `--per-ms`
 * (events per ms of event time, 100: 100 per key and 1000 ms window), `--window-ms`
 * (1000), `--slide-ms` (sliding windows, 250: each event in 4 windows),
 * `--runs` (3), `--kind` (tumbling, sliding or both, the default), `--no-merge`
 * (the job's AggregateFunction without `merge`: sliding windows keep one
 * accumulator per window, as the raw loop does, instead of sharing slices).
 */
export async function windowsBench(args: string[]): Promise<void> {
  // Issue 24's out-of-order file job across parallelisms: a bench of its own.
  if (args.some((a) => a.startsWith("--parallelism"))) return windowsParallelismBench(args);
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "4000000" },
      keys: { type: "string", default: "1000" },
      "per-ms": { type: "string", default: "100" },
      "window-ms": { type: "string", default: "1000" },
      "slide-ms": { type: "string", default: "250" },
      runs: { type: "string", default: "3" },
      kind: { type: "string", default: "both" },
      "no-merge": { type: "boolean", default: false },
    },
  });
  const kinds = values.kind === "both" ? ["tumbling", "sliding"] as const : [values.kind];
  const runs = Number(values.runs);
  const cluster = await startCluster(1, 1);
  try {
    for (const kind of kinds) {
      if (kind !== "tumbling" && kind !== "sliding") throw new Error(`unknown --kind ${kind}`);
      const shape: Shape = {
        kind,
        events: Number(values.events),
        keys: Number(values.keys),
        perMs: Number(values["per-ms"]),
        windowMs: Number(values["window-ms"]),
        slideMs: Number(values["slide-ms"]),
        merge: !values["no-merge"],
      };
      await jobRun(cluster, { ...shape, events: Math.min(shape.events, 200_000) }); // warm-up
      const raws: Result[] = [], jobs: Result[] = [];
      for (let r = 0; r < runs; r++) {
        raws.push(rawWindows(shape));
        jobs.push(await jobRun(cluster, shape));
      }
      const raw = median(raws, (x) => x.ms), job = median(jobs, (x) => x.ms);
      if (raw.checksum !== job.checksum || raw.windows !== job.windows) {
        throw new Error(
          `${kind}: the job's ${job.windows} windows (checksum ${job.checksum}) differ from the ` +
            `raw loop's ${raw.windows} (checksum ${raw.checksum})`,
        );
      }
      const rate = (x: Result) => shape.events / (x.ms / 1000);
      const m = (x: number) => (x / 1e6).toFixed(2).padStart(6);
      const what = kind === "sliding"
        ? `sliding ${shape.windowMs}/${shape.slideMs} ms (${
          shape.windowMs / shape.slideMs
        } windows per event)`
        : `tumbling ${shape.windowMs} ms`;
      console.log(
        `Windows, ${what}: ${shape.events} events over ${shape.keys} keys, ${raw.windows} window ` +
          `results, median of ${runs}`,
      );
      console.log(`  raw JS loop           ${m(rate(raw))} M events/s`);
      console.log(
        `  spate, 1 slot         ${m(rate(job))} M events/s per core  (${
          (rate(job) / rate(raw) * 100).toFixed(0)
        }% of raw; whole job ${job.jobMs} ms)`,
      );
    }
  } finally {
    await cluster.stop();
  }
}
