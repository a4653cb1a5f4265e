/**
 * File monitor: watches a directory for new text files and keeps a running
 * count of their words, committed exactly once by the file sink.
 *
 *   spate run examples/file_monitor.ts --local --checkpoint-interval 2000 \
 *     -- --input /data/incoming --output /data/counts
 *
 * Drop files into the directory whole (write `.name.tmp`, then rename it to
 * `name`): each is read once. Flags (after `--`): `--input DIR`, `--output DIR`
 * (part files with `word,count` lines, each count update once), `--interval MS`
 * (time between two scans, default 1000).
 * @module
 */

import { FileSink, jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";
import type { Collector } from "spate";

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits a line into [word, 1] pairs (lowercased runs of letters or digits). */
function tokenize(line: string, out: Collector<[string, number]>): void {
  for (const m of line.matchAll(WORD)) out.collect([m[0].toLowerCase(), 1]);
}

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.readTextFile(params.getRequired("input"), {
  continuous: true,
  intervalMs: params.getNumber("interval", 1000),
}).uid("incoming")
  .flatMap(tokenize).name("Tokenize")
  .keyBy(([word]) => word)
  .sum(1).name("Count").uid("count")
  .map(([word, count]) => `${word},${count}`)
  .sinkTo(FileSink.forRowFormat(params.getRequired("output")).build()).uid("counts");
await env.execute("file monitor");
