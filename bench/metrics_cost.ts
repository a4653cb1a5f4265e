/**
 * `deno task bench metrics`: what Prometheus scraping costs a job. Nexmark q1
 * runs on a cluster this bench starts (a master and one worker), alternately
 * without and with a scraper that fetches `GET /metrics` of the master and of
 * every worker each second, as Prometheus would; each figure is the median of
 * its runs, measured in the same run of the bench.
 * @module
 */

import { parseArgs } from "node:util";
import { startCluster } from "../tests/_helpers/cluster.ts";
import { DEFAULT_NEXMARK_CONFIG } from "./nexmark/generator.ts";
import { queryNamed } from "./nexmark/queries/mod.ts";
import { jobRun } from "./nexmark.ts";

/** Fetches every URL of `urls()` each `intervalMs` until stopped; counts the scrapes. */
function scraper(urls: () => Promise<string[]>, intervalMs: number) {
  let scrapes = 0, bytes = 0, ms = 0, stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      for (const u of await urls()) {
        const t0 = performance.now();
        const text = await (await fetch(u)).text();
        ms += performance.now() - t0;
        scrapes++;
        bytes += text.length;
      }
      await new Promise((r) =>
        setTimeout(r, Math.max(0, intervalMs - (performance.now() - started)))
      );
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { scrapes, bytes, ms };
    },
  };
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
 * Options: `--events N` (default 10,000,000), `--parallelism P` (default 1),
 * `--runs N` (runs of each kind, alternated; default 5), `--interval-ms MS`
 * (default 1000).
 */
export async function metricsCostBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "10000000" },
      parallelism: { type: "string", default: "1" },
      runs: { type: "string", default: "5" },
      "interval-ms": { type: "string", default: "1000" },
    },
  });
  const events = Number(values.events), p = Number(values.parallelism);
  const runs = Number(values.runs), intervalMs = Number(values["interval-ms"]);
  const q1 = queryNamed("q1");
  const cluster = await startCluster(1, p);
  const targets = async () => {
    const { taskmanagers } = await (await fetch(`${cluster.url}/api/v1/taskmanagers`)).json();
    return [
      `${cluster.url}/metrics`,
      ...taskmanagers.map((w: { metricsUrl: string }) => w.metricsUrl),
    ];
  };
  const rates: Record<"without" | "with", number[]> = { without: [], with: [] };
  const scrapeMs: number[] = [];
  let scrapeBytes = 0;
  let perScrapeCpuMs = 0;
  try {
    await jobRun(cluster.url, q1, Math.min(events, 1_000_000), p, DEFAULT_NEXMARK_CONFIG); // warm-up
    const plain = async () =>
      events / ((await jobRun(cluster.url, q1, events, p, DEFAULT_NEXMARK_CONFIG)).ms / 1000);
    const scraped = async () => {
      const s = scraper(targets, intervalMs);
      const rate = await plain();
      const { scrapes, bytes, ms } = await s.stop();
      scrapeMs.push(ms / Math.max(1, scrapes));
      scrapeBytes = Math.round(bytes / Math.max(1, scrapes));
      return rate;
    };
    for (let r = 0; r < runs; r++) {
      // Alternate which kind goes first, so a drift of the machine's load weighs on both.
      if (r % 2 === 0) {
        rates.without.push(await plain());
        rates.with.push(await scraped());
      } else {
        rates.with.push(await scraped());
        rates.without.push(await plain());
      }
      console.log(
        `run ${r + 1}: without ${mps(rates.without[r])}, with scraping ${mps(rates.with[r])}`,
      );
    }
    const pids = [cluster.master, ...cluster.workers].map((p) => p.child.pid);
    perScrapeCpuMs = await cpuPerScrape(pids, await targets(), SCRAPES_FOR_CPU);
  } finally {
    await cluster.stop();
  }
  const without = median(rates.without), withScraper = median(rates.with);
  console.log(
    `nexmark q1 p${p}, ${events.toLocaleString()} events, median of ${runs}: ` +
      `without scraping ${mps(without)}, scraped every ${intervalMs} ms ${mps(withScraper)} ` +
      `(${((withScraper / without - 1) * 100).toFixed(1)}%); one scrape (fetch and read, ` +
      `${scrapeBytes} bytes) took ${median(scrapeMs).toFixed(2)} ms at the median; ` +
      `load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  console.log(
    `CPU of one scrape of the master and the worker together: ${perScrapeCpuMs.toFixed(2)} ms ` +
      `(${SCRAPES_FOR_CPU} scrapes after the runs, idle CPU subtracted): every ${intervalMs} ms ` +
      `${(perScrapeCpuMs / intervalMs * 100).toFixed(2)}% of one core`,
  );
}

/** Scrapes of the CPU measurement: enough to read /proc's 10 ms ticks to about 1%. */
const SCRAPES_FOR_CPU = 500;

const mps = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
