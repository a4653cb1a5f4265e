/**
 * `deno task bench startup`: how long a slot takes from a fresh Web Worker to
 * the plan of its job (worker start-up, the import of the job module and of
 * `spate`, the graph built in task mode). The baseline, measured in the same
 * run, is a Web Worker that imports nothing and answers at once; the
 * sandboxed line is the same slot with the permissions a worker gives a job
 * that declared none (`nodes/worker/slot_sandbox.ts`).
 * @module
 */

import { parseArgs } from "node:util";
import { importReads, slotSandbox } from "../nodes/worker/slot_sandbox.ts";

const WORKER = new URL("./jobs/slot_startup_worker.ts", import.meta.url);
const EMPTY = `data:application/javascript,${
  encodeURIComponent("self.onmessage = () => self.postMessage({ ms: 0 });")
}`;

async function timeOne(
  url: string | URL,
  job: string,
  permissions?: Deno.PermissionOptionsObject,
): Promise<number> {
  const start = performance.now();
  const worker = new Worker(url, {
    type: "module",
    ...(permissions === undefined ? {} : { deno: { permissions } }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (e) => reject(new Error(e.message));
      worker.postMessage({ jobModuleUrl: job, args: [] });
    });
    return performance.now() - start;
  } finally {
    worker.terminate();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs the benchmark: `--runs N` (default 15), `--job FILE` (default examples/wordcount.ts). */
export async function slotStartupBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { runs: { type: "string" }, job: { type: "string" } },
    strict: true,
  });
  const runs = Number(values.runs ?? 15);
  const job = values.job === undefined
    ? new URL("../examples/wordcount.ts", import.meta.url).href
    : new URL(values.job, `file://${Deno.cwd()}/`).href;
  const slot: number[] = [];
  const sandboxed: number[] = [];
  const empty: number[] = [];
  // A job's sandbox as a worker makes it: no permission of its own, the runtime's grants.
  const { permissions } = slotSandbox(
    {},
    { readWrite: [`${Deno.makeTempDirSync()}/spill`], read: [], net: [] },
    importReads(job, false),
  );
  await timeOne(WORKER, job); // warms the module cache of this process, as a worker's later slots
  for (let i = 0; i < runs; i++) {
    slot.push(await timeOne(WORKER, job));
    sandboxed.push(await timeOne(WORKER, job, permissions));
    empty.push(await timeOne(EMPTY, job));
  }
  console.log(`slot start-up to the job's plan (median of ${runs}): ${median(slot).toFixed(1)} ms`);
  console.log(`the same slot sandboxed (job permissions):   ${median(sandboxed).toFixed(1)} ms`);
  console.log(`baseline, an empty Web Worker:              ${median(empty).toFixed(1)} ms`);
}

if (import.meta.main) await slotStartupBench(Deno.args);
