/**
 * Word counts into PostgreSQL, twice: every (word, count) update exactly once
 * through the two-phase commit sink (an append-only history), and each word's
 * latest count through the upsert sink (a current-state table). Create the
 * tables first:
 *
 *   CREATE TABLE word_count_history (word text NOT NULL, n bigint NOT NULL);
 *   CREATE TABLE word_counts (word text PRIMARY KEY, n bigint NOT NULL);
 *
 *   PGUSER=app PGPASSWORD=... spate run examples/postgres_sink.ts --local -p 2 \
 *     --checkpoint-interval 1000 -- --host 127.0.0.1 --port 5432 --database app
 *
 * The server needs `max_prepared_transactions` > 0 for the exactly-once sink.
 * Flags (after `--`): `--host`, `--port`, `--database` (default: PGHOST,
 * PGPORT, PGDATABASE), `--events N` (words generated, default 100000),
 * `--words N` (distinct words, 1000). User and password come from PGUSER and
 * PGPASSWORD, so they never appear on the command line.
 * @module
 */

import { jobArgs, ParameterTool, PostgresSink, StreamExecutionEnvironment } from "spate";
import type { PostgresConnectionOptions } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 100_000);
const words = params.getNumber("words", 1000);
const db: PostgresConnectionOptions = {
  host: params.has("host") ? params.get("host") : undefined,
  port: params.has("port") ? params.getNumber("port", 5432) : undefined,
  database: params.has("database") ? params.get("database") : undefined,
};

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const counts = env.fromGenerator(events, (i) => [`w${(i * 7919) % words}`, 1] as [string, number])
  .uid("words")
  .keyBy((w) => w[0])
  .sum(1).uid("counts");

counts.sinkTo(
  PostgresSink.exactlyOnce<[string, number]>().connection(db)
    .table("word_count_history").columns("word", "n").build(),
).uid("history");

counts.sinkTo(
  PostgresSink.upsert<[string, number]>().connection(db)
    .table("word_counts").columns("word", "n").key("word").build(),
).uid("latest");

await env.execute("word counts to PostgreSQL");
