/**
 * WordCount: counts the words of a text file or directory.
 *
 *   spate run examples/wordcount.ts --local -p 2 -- --input DIR --output OUT
 *
 * Flags (after `--`): `--input PATH` (file or directory; default: the bundled
 * sample), `--output PATH` (default: print every `word,count` line), `--top N`
 * (print only the N most frequent words, with the number of distinct words).
 * A word is a maximal run of Unicode letters or digits, lowercased.
 * @module
 */

import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";
import type { Collector } from "spate";

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits a line into [word, 1] pairs. */
export function tokenize(line: string, out: Collector<[string, number]>): void {
  for (const m of line.matchAll(WORD)) out.collect([m[0].toLowerCase(), 1]);
}

const params = ParameterTool.fromArgs(jobArgs());
const input = params.get("input", new URL("./data/sample.txt", import.meta.url).pathname);
const output = params.get("output");
const top = params.getNumber("top", 0);

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const counts = env.readTextFile(input)
  .flatMap(tokenize).name("Tokenize")
  .keyBy(([word]) => word)
  .sum(1).name("Count")
  .map(([word, count]) => `${word},${count}`).name("Format");

if (output !== undefined) {
  counts.writeAsText(output);
  await env.execute("wordcount");
} else if (top > 0) {
  const lines = await counts.executeAndCollect("wordcount").toArray();
  const ranked = lines.map((l) => l.split(",")).map(([w, c]) => [w, Number(c)] as const)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  console.log(`Top ${Math.min(top, ranked.length)} of ${ranked.length} distinct words:`);
  for (const [word, count] of ranked.slice(0, top)) {
    console.log(`  ${String(count).padStart(6)}  ${word}`);
  }
} else {
  counts.print();
  await env.execute("wordcount");
}
