/**
 * `deno task bench wordcount`: WordCount throughput of spate at parallelism 1
 * and 2 on the embedded local cluster, and of a raw single-loop JS WordCount on
 * the same input, measured in the same run.
 * @module
 */

import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { LocalExecutor } from "../nodes/minicluster/mini_cluster.ts";
import type { JobExecutionResult } from "../core/graph/job_result.ts";
import { importJob } from "../nodes/client/load_job.ts";
import { writeCorpus } from "../tests/_helpers/corpus.ts";

const WORD = /[\p{L}\p{N}]+/gu;

/** The baseline: one loop, no framework, the same tokenizer and output. */
async function rawWordCount(input: string, files: string[], output: string): Promise<number> {
  const start = performance.now();
  const counts = new Map<string, number>();
  for (const f of files) {
    const text = await Deno.readTextFile(`${input}/${f}`);
    for (const line of text.split("\n")) {
      for (const m of line.matchAll(WORD)) {
        const w = m[0].toLowerCase();
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  }
  let out = "";
  for (const [w, c] of counts) out += `${w},${c}\n`;
  await Deno.writeTextFile(output, out);
  return performance.now() - start;
}

async function spateWordCount(input: string, output: string, parallelism: number, run: number) {
  let result: JobExecutionResult | undefined;
  const executor = new LocalExecutor();
  const url = pathToFileURL(new URL("../examples/wordcount.ts", import.meta.url).pathname).href;
  await importJob({
    mode: "client",
    args: ["--input", input, "--output", output],
    jobModuleUrl: `${url}?bench=${run}`,
    defaults: { parallelism },
    executor: {
      async execute(plan, onCollect) {
        const r = await executor.execute(plan, onCollect);
        result = r;
        return r;
      },
    },
  }, "examples/wordcount.ts");
  return result!.durationMs;
}

export async function wordcountBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { mb: { type: "string", default: "48" }, runs: { type: "string", default: "3" } },
  });
  const mb = Number(values.mb), runs = Number(values.runs);
  const dir = await Deno.makeTempDir({ prefix: "spate-bench-wc-" });
  try {
    const input = `${dir}/input`;
    await Deno.mkdir(input);
    const files = 8;
    await writeCorpus(input, files, Math.ceil(mb * 1024 * 1024 / files));
    const names = [...Deno.readDirSync(input)].map((e) => e.name).sort();
    let bytes = 0;
    for (const n of names) bytes += (await Deno.stat(`${input}/${n}`)).size;
    const mbs = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
    console.log(
      `WordCount on ${(bytes / 1024 / 1024).toFixed(1)} MiB (${files} files), best of ${runs}`,
    );

    const best = async (fn: (run: number) => Promise<number>) => {
      let min = Infinity;
      for (let r = 0; r < runs; r++) min = Math.min(min, await fn(r));
      return min;
    };
    const raw = await best(() => rawWordCount(input, names, `${dir}/raw.txt`));
    const p1 = await best((r) => spateWordCount(input, `${dir}/p1`, 1, r));
    const p2 = await best((r) => spateWordCount(input, `${dir}/p2`, 2, 100 + r));
    console.log(`  raw single loop     ${mbs(raw).toFixed(1).padStart(7)} MB/s`);
    console.log(
      `  spate parallelism 1 ${mbs(p1).toFixed(1).padStart(7)} MB/s  (${
        (raw / p1 * 100).toFixed(0)
      }% of raw)`,
    );
    console.log(
      `  spate parallelism 2 ${mbs(p2).toFixed(1).padStart(7)} MB/s  (${
        (p1 / p2).toFixed(2)
      }x parallelism 1)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
