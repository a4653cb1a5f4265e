/**
 * `deno task bench metrics`: what Prometheus scraping costs a job. Long
 * Nexmark q1 jobs run on a cluster this bench starts (a master and one
 * worker); during each, phases of a few seconds alternate without and with a
 * scraper that fetches `GET /metrics` of the master and of every worker each
 * second, as Prometheus would. The job notes the time of every N-th row, so
 * each phase's rate is read from inside the job; the figure is the median
 * ratio of neighbouring phases. Within one run, because separate runs of the
 * same job differ by up to 40% here (each in a fresh slot isolate: the same
 * code runs uniformly slower or faster), more than the 5% to be shown.
 * @module
 */

import { parseArgs } from "node:util";
import { startCluster } from "../tests/_helpers/cluster.ts";
import { DEFAULT_NEXMARK_CONFIG } from "./nexmark/generator.ts";
import { queryNamed } from "./nexmark/queries/mod.ts";
import { jobRun } from "./nexmark.ts";

/** Wall-clock time comparable across processes of one host (the job's clock too). */
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** A span of a job's run with the scraper on or off. */
interface Phase {
  readonly from: number;
  readonly to: number;
  readonly scraped: boolean;
}

/**
 * Alternates phases of `phaseMs` without and with scraping (every URL each
 * `intervalMs`, as Prometheus would) until stopped, and notes each phase.
 */
function alternatingScraper(urls: string[], intervalMs: number, phaseMs: number, first: boolean) {
  const phases: Phase[] = [];
  let scrapes = 0, bytes = 0, ms = 0, stopped = false;
  const loop = (async () => {
    for (let scraped = first; !stopped; scraped = !scraped) {
      const from = now(), end = from + phaseMs;
      while (scraped && !stopped && now() < end) {
        const started = now();
        for (const u of urls) {
          const text = await (await fetch(u)).text();
          ms += now() - started;
          scrapes++;
          bytes += text.length;
        }
        await sleep(Math.min(intervalMs - (now() - started), end - now()));
      }
      if (!scraped) await sleep(end - now());
      phases.push({ from, to: now(), scraped });
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { phases, scrapes, bytes, ms };
    },
  };
}

/**
 * Events per second over [from, to] from a timeline (the time of every
 * `every`-th row), interpolating between its points; undefined when the span
 * is not inside the timeline.
 */
export function rateBetween(
  timeline: number[],
  every: number,
  from: number,
  to: number,
): number | undefined {
  const rowsAt = (t: number) => {
    let i = 0;
    while (i < timeline.length && timeline[i] < t) i++;
    if (i === 0 || i === timeline.length) return undefined;
    const f = (t - timeline[i - 1]) / (timeline[i] - timeline[i - 1]);
    return (i + f) * every;
  };
  const a = rowsAt(from), b = rowsAt(to);
  return a === undefined || b === undefined ? undefined : (b - a) / ((to - from) / 1000);
}

/** CPU time (user + system) the process `pid` used so far, in ms (Linux: /proc). */
function cpuMs(pid: number): number {
  const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
  // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The CPU one scrape costs the scraped processes, whatever the machine's
 * load: `count` scrapes of every target back to back, minus the CPU the
 * processes use idle over as long a wall time.
 */
async function cpuPerScrape(pids: number[], urls: string[], count: number): Promise<number> {
  const total = () => pids.reduce((s, pid) => s + cpuMs(pid), 0);
  const t0 = performance.now(), cpu0 = total();
  for (let i = 0; i < count; i++) {
    for (const u of urls) await (await fetch(u)).text();
  }
  const wallMs = performance.now() - t0, busy = total() - cpu0;
  const idle0 = total();
  await new Promise((r) => setTimeout(r, wallMs));
  const idle = total() - idle0;
  return Math.max(0, busy - idle) / count;
}

/**
 * Options: `--events N` per job (default 60,000,000), `--jobs N` (default 3),
 * `--phase-ms MS` (default 3000), `--interval-ms MS` (default 1000),
 * `--parallelism P` (default 1).
 */
export async function metricsCostBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "60000000" },
      jobs: { type: "string", default: "3" },
      "phase-ms": { type: "string", default: "3000" },
      "interval-ms": { type: "string", default: "1000" },
      parallelism: { type: "string", default: "1" },
    },
  });
  const events = Number(values.events), jobs = Number(values.jobs), p = Number(values.parallelism);
  const phaseMs = Number(values["phase-ms"]), intervalMs = Number(values["interval-ms"]);
  const q1 = queryNamed("q1");
  const cluster = await startCluster(1, p);
  const rates: Record<"without" | "with", number[]> = { without: [], with: [] };
  const ratios: number[] = [];
  let scrapeMs = 0, scrapes = 0, scrapeBytes = 0, perScrapeCpuMs = 0;
  try {
    const { taskmanagers } = await (await fetch(`${cluster.url}/api/v1/taskmanagers`)).json();
    const targets: string[] = [
      `${cluster.url}/metrics`,
      ...taskmanagers.map((w: { metricsUrl: string }) => w.metricsUrl),
    ];
    await jobRun(cluster.url, q1, 1_000_000, p, DEFAULT_NEXMARK_CONFIG); // warm-up
    for (let j = 0; j < jobs; j++) {
      // Which kind comes first alternates job by job.
      const scraper = alternatingScraper(targets, intervalMs, phaseMs, j % 2 === 1);
      const run = await jobRun(cluster.url, q1, events, p, DEFAULT_NEXMARK_CONFIG, [
        "--timeline",
        String(TIMELINE_EVERY),
      ]);
      const s = await scraper.stop();
      scrapes += s.scrapes, scrapeMs += s.ms, scrapeBytes += s.bytes;
      // Each phase's rate summed over the subtasks; phases in the first seconds (JIT warm-up) or
      // past the run are left out.
      const first = Math.min(...run.timelines!.map((t) => t[0]));
      const measured = s.phases.filter((ph) => ph.from >= first + WARM_UP_MS).map((ph) => {
        const perTask = run.timelines!.map((t) => rateBetween(t, TIMELINE_EVERY, ph.from, ph.to));
        return perTask.some((r) => r === undefined)
          ? undefined
          : { ...ph, rate: perTask.reduce((a, b) => a! + b!, 0)! };
      }).filter((ph) => ph !== undefined);
      for (const ph of measured) rates[ph.scraped ? "with" : "without"].push(ph.rate);
      // Neighbouring phases are seconds apart: their ratio leaves out the machine's drift.
      const jobRatios = measured.slice(1).map((ph, i) =>
        ph.scraped ? ph.rate / measured[i].rate : measured[i].rate / ph.rate
      );
      ratios.push(...jobRatios);
      console.log(
        `job ${j + 1}: ${mps(events / (run.ms / 1000))} over the run; phases ` +
          measured.map((ph) => `${ph.scraped ? "S" : "-"}${(ph.rate / 1e6).toFixed(2)}`).join(" ") +
          ` (S: scraped); neighbours' ratios ${jobRatios.map(pct).join(" ")}`,
      );
    }
    const pids = [cluster.master, ...cluster.workers].map((p) => p.child.pid);
    perScrapeCpuMs = await cpuPerScrape(pids, targets, SCRAPES_FOR_CPU);
  } finally {
    await cluster.stop();
  }
  console.log(
    `nexmark q1 p${p}, ${jobs} jobs of ${events.toLocaleString()} events, phases of ${phaseMs} ms ` +
      `alternately without and with scraping every ${intervalMs} ms: median rate without ` +
      `${mps(median(rates.without))} (${rates.without.length} phases), with ` +
      `${mps(median(rates.with))} (${rates.with.length}); median ratio of neighbouring phases ` +
      `${pct(median(ratios))} (${ratios.length} pairs, middle half ${
        pct(quantile(ratios, 0.25))
      } ` +
      `to ${pct(quantile(ratios, 0.75))}); one scrape (fetch and read, ` +
      `${Math.round(scrapeBytes / Math.max(1, scrapes))} bytes) took ` +
      `${(scrapeMs / Math.max(1, scrapes)).toFixed(2)} ms on average; load average ` +
      `${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  console.log(
    `CPU of one scrape of the master and the worker together: ${perScrapeCpuMs.toFixed(2)} ms ` +
      `(${SCRAPES_FOR_CPU} scrapes after the runs, idle CPU subtracted): every ${intervalMs} ms ` +
      `${(perScrapeCpuMs / intervalMs * 100).toFixed(2)}% of one core`,
  );
}

/** Rows between the timeline's points: about 20 points a second at q1's rate. */
const TIMELINE_EVERY = 131_072;
/** How long after the first timeline point phases start to count (JIT warm-up). */
const WARM_UP_MS = 2000;
/** Scrapes of the CPU measurement: enough to read /proc's 10 ms ticks to about 1%. */
const SCRAPES_FOR_CPU = 500;

const mps = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs: number[]) => quantile(xs, 0.5);
const pct = (ratio: number) => `${((ratio - 1) * 100).toFixed(1)}%`;
