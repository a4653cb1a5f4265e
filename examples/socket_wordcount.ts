/**
 * Socket WordCount (Flink's SocketWindowWordCount): counts the words a TCP
 * server sends, per 5-second processing-time window.
 *
 *   nc -lk 9999        # in another terminal: type lines
 *   spate run examples/socket_wordcount.ts --local --allow-net=127.0.0.1:9999 -- --port 9999
 *
 * Flags (after `--`): `--host H` (default 127.0.0.1), `--port N` (required),
 * `--window-ms MS` (default 5000). The job ends when the server closes the
 * connection. At-most-once: lines sent while the job restarts are lost.
 * @module
 */

import {
  jobArgs,
  ParameterTool,
  StreamExecutionEnvironment,
  TumblingProcessingTimeWindows,
} from "spate";
import type { Collector } from "spate";

const WORD = /[\p{L}\p{N}]+/gu;

/** Splits a line into [word, 1] pairs (lowercased runs of letters or digits). */
function tokenize(line: string, out: Collector<[string, number]>): void {
  for (const m of line.matchAll(WORD)) out.collect([m[0].toLowerCase(), 1]);
}

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.socketTextStream(params.get("host", "127.0.0.1")!, params.getNumber("port", 0))
  .flatMap(tokenize).name("Tokenize")
  .keyBy(([word]) => word)
  .window(TumblingProcessingTimeWindows.of(params.getNumber("window-ms", 5000)))
  .sum(1).name("Count")
  .map(([word, count]) => `${word},${count}`)
  .print();
await env.execute("socket wordcount");
