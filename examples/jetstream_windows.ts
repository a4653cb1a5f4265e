/**
 * JetStream in, JetStream out: events published as JSON
 * (`{"key": "k1", "timeMs": 1733556000000}`) on the subjects of stream
 * `--in-stream` are counted per key in tumbling event-time windows (event
 * time from the payload's `timeMs`), and each window's count is published to
 * `<--out-prefix>.<key>` in stream `--out-stream` as
 * `{"key", "windowEndMs", "count"}`. Each result's de-duplication id is its
 * key and window end, so a job restored after a failure republishes the same
 * ids and the stream keeps every result exactly once (README "Connectors >
 * NATS JetStream"). `--in-subjects a,b` reads the input as one split per
 * subject filter (parallel readers).
 *
 * ```sh
 * nats-server -js &
 * nats stream add IN --subjects 'in.*' --defaults
 * nats stream add OUT --subjects 'counts.>' --defaults
 * deno task spate run examples/jetstream_windows.ts --local --checkpoint-interval 1000 -- \
 *   --servers nats://127.0.0.1:4222 --in-stream IN --out-stream OUT --window-ms 10000
 * ```
 * Credentials: `SPATE_NATS_USER` / `SPATE_NATS_PASSWORD` (or `SPATE_NATS_TOKEN`) in the environment.
 * @module
 */

import {
  type AggregateFunction,
  JetStreamSink,
  JetStreamSource,
  jobArgs,
  ParameterTool,
  type ProcessWindowFunction,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";

/** One event, as published. */
interface Event {
  readonly key: string;
  readonly timeMs: number;
}

/** A window's count of one key's events. */
interface WindowCount {
  readonly key: string;
  readonly windowEndMs: number;
  readonly count: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const servers = params.get("servers", "nats://127.0.0.1:4222").split(",");
const windowMs = params.getNumber("window-ms", 10_000);
const outPrefix = params.get("out-prefix", "counts");
const subjects = params.has("in-subjects") ? params.getRequired("in-subjects").split(",") : [];

const decoder = new TextDecoder();
const source = JetStreamSource.builder()
  .setServers(...servers)
  .setStream(params.get("in-stream", "IN"))
  .setSubjectFilters(...subjects)
  // How long an idle pull request lives; a server silent for half of it fails the reader.
  .setFetchExpiresMs(params.getNumber("fetch-expires-ms", 10_000))
  .setDeserializer((data): Event => JSON.parse(decoder.decode(data)))
  .build();

const count: AggregateFunction<Event, number, number> = {
  createAccumulator: () => 0,
  add: (_e, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};
const withKey: ProcessWindowFunction<number, WindowCount, string, TimeWindow> = {
  process(key, ctx, [n], out) {
    out.collect({ key, windowEndMs: ctx.window.end, count: n });
  },
};

const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
env.fromSource(
  source,
  WatermarkStrategy.forBoundedOutOfOrderness<Event>(params.getNumber("out-of-orderness-ms", 0))
    .withTimestampAssigner((e) => e.timeMs),
  "JetStream events",
).uid("jetstream-events")
  .keyBy((e) => e.key)
  .window(TumblingEventTimeWindows.of(windowMs))
  .aggregate(count, withKey).uid("counts")
  .sinkTo(
    JetStreamSink.builder<WindowCount>()
      .setServers(...servers)
      .setStream(params.get("out-stream", "OUT"))
      .setSubject((c) => `${outPrefix}.${c.key}`)
      // Deterministic per result: a replay after a failure republishes the same ids.
      .setMessageId((c) => `${c.key}@${c.windowEndMs}`)
      .build(),
  ).uid("jetstream-counts");
await env.execute("jetstream windows");
