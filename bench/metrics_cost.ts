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
  let scrapes = 0, bytes = 0, stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      for (const u of await urls()) {
        const text = await (await fetch(u)).text();
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
      return { scrapes, bytes };
    },
  };
}

/**
 * Options: `--events N` (default 10,000,000), `--parallelism P` (default 1),
 * `--runs N` (runs of each kind, alternated; default 3), `--interval-ms MS`
 * (default 1000).
 */
export async function metricsCostBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "10000000" },
      parallelism: { type: "string", default: "1" },
      runs: { type: "string", default: "3" },
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
  try {
    await jobRun(cluster.url, q1, Math.min(events, 1_000_000), p, DEFAULT_NEXMARK_CONFIG); // warm-up
    for (let r = 0; r < runs; r++) {
      rates.without.push(
        events / ((await jobRun(cluster.url, q1, events, p, DEFAULT_NEXMARK_CONFIG)).ms / 1000),
      );
      const s = scraper(targets, intervalMs);
      const job = await jobRun(cluster.url, q1, events, p, DEFAULT_NEXMARK_CONFIG);
      const { scrapes, bytes } = await s.stop();
      rates.with.push(events / (job.ms / 1000));
      console.log(
        `run ${r + 1}: without ${mps(rates.without[r])}, with scraping ${mps(rates.with[r])} ` +
          `(${scrapes} scrapes, ${Math.round(bytes / Math.max(1, scrapes))} bytes each)`,
      );
    }
  } finally {
    await cluster.stop();
  }
  const without = median(rates.without), withScraper = median(rates.with);
  console.log(
    `nexmark q1 p${p}, ${events.toLocaleString()} events, median of ${runs}: ` +
      `without scraping ${mps(without)}, scraped every ${intervalMs} ms ${mps(withScraper)} ` +
      `(${((withScraper / without - 1) * 100).toFixed(1)}%)`,
  );
}

const mps = (x: number) => `${(x / 1e6).toFixed(2)} M events/s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
