/**
 * Benchmarks: `deno task bench <name> [options]`. Each prints its figures and
 * the baseline measured in the same run.
 * @module
 */

import { checkpointBench } from "./checkpoint.ts";
import { shuffleBench } from "./shuffle.ts";
import { windowsBench } from "./windows.ts";
import { wordcountBench } from "./wordcount.ts";

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  checkpoint: checkpointBench,
  shuffle: shuffleBench,
  windows: windowsBench,
  wordcount: wordcountBench,
};

const [name, ...rest] = Deno.args;
const bench = BENCHES[name];
if (bench === undefined) {
  console.error(`usage: deno task bench <${Object.keys(BENCHES).join("|")}> [options]`);
  Deno.exit(2);
}
await bench(rest);
