/**
 * Benchmarks: `deno task bench <name> [options]` from a source checkout. They
 * are not part of the `spate` CLI: they need the repository (examples, test
 * helpers) and would weigh on a compiled binary. Each prints its figures and
 * the baseline measured in the same run.
 * @module
 */

import { checkpointBench } from "./checkpoint.ts";
import { connectorsBench } from "./connectors.ts";
import { ingestBench } from "./ingest.ts";
import { nexmarkBench } from "./nexmark.ts";
import { processCpuBench } from "./process_cpu.ts";
import { latencyBench } from "./latency.ts";
import { metricsCostBench } from "./metrics_cost.ts";
import { shuffleBench } from "./shuffle.ts";
import { slotStartupBench } from "./slot_startup.ts";
import { tlsBench } from "./tls.ts";
import { windowsBench } from "./windows.ts";
import { wordcountBench } from "./wordcount.ts";

/** Every benchmark by name: each takes its own options. */
export const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  checkpoint: checkpointBench,
  connectors: connectorsBench,
  ingest: ingestBench,
  nexmark: nexmarkBench,
  latency: latencyBench,
  metrics: metricsCostBench,
  "process-cpu": processCpuBench,
  shuffle: shuffleBench,
  startup: slotStartupBench,
  tls: tlsBench,
  windows: windowsBench,
  wordcount: wordcountBench,
};

/** Runs `<name> [options]`; returns the exit code (2: no such benchmark). */
export async function runBench(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  const bench = BENCHES[name];
  if (bench === undefined) {
    console.error(`usage: deno task bench <${Object.keys(BENCHES).join("|")}> [options]`);
    return 2;
  }
  await bench(rest);
  return 0;
}

if (import.meta.main) Deno.exit(await runBench(Deno.args));
