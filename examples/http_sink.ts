/**
 * HTTP sink: posts generated sensor readings, in batches of JSON arrays, to an
 * HTTP endpoint; readings it could not deliver after its retries are written
 * to a dead-letter file instead of being lost.
 *
 *   API_TOKEN=... spate run examples/http_sink.ts --local --checkpoint-interval 1000 \
 *     --allow-net=127.0.0.1:8080 --allow-env=API_TOKEN \
 *     -- --url http://127.0.0.1:8080/readings --token-env API_TOKEN --dead-letters /tmp/dead
 *
 * Flags (after `--`): `--url URL` (required), `--readings N` (default 10000),
 * `--rate R` (readings/s, default 1000), `--batch N` (default 500),
 * `--retries N` (default 5), `--dead-letters PATH` (default: printed),
 * `--token-env VAR` (send `Authorization: Bearer $VAR`, read in the job's slots).
 * At-least-once: a restart after a failure can send readings again.
 * @module
 */

import {
  type DeadLetter,
  HttpSink,
  jobArgs,
  OutputTag,
  ParameterTool,
  StreamExecutionEnvironment,
} from "spate";

interface Reading {
  readonly sensor: string;
  readonly seq: number;
  readonly celsius: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const readings = env.fromGenerator(
  params.getNumber("readings", 10_000),
  (i): Reading => ({ sensor: `s${i % 16}`, seq: i, celsius: 20 + 5 * Math.sin(i / 100) }),
  { recordsPerSecond: params.getNumber("rate", 1000) },
).uid("readings");

const failed = new OutputTag<DeadLetter<Reading>>("undelivered");
const sink = HttpSink.builder<Reading>()
  .url(params.getRequired("url"))
  .batchSize(params.getNumber("batch", 500))
  .maxRetries(params.getNumber("retries", 5))
  .deadLetterOutput(failed);
// The token is read in the job's slots (declare it with --allow-env), never logged.
const tokenEnv = params.get("token-env");
if (tokenEnv !== undefined) sink.headerFromEnv("Authorization", tokenEnv, "Bearer ");

const deadLetters = readings.sinkTo(sink.build()).uid("http").getSideOutput(failed)
  .map((d) => `${d.record.sensor},${d.record.seq}: ${d.error} after ${d.attempts} attempt(s)`);
const path = params.get("dead-letters");
if (path !== undefined) deadLetters.writeAsText(path).setParallelism(1);
else deadLetters.print();
await env.execute("http sink");
