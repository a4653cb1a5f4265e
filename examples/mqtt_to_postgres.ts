/**
 * Sensor readings from MQTT into PostgreSQL, each reading exactly once in
 * the table although MQTT QoS 1 delivers at least once. Readings are
 * published as JSON (`{"id": "dev7-1042", "sensor": "s1", "value": 21.5}`,
 * `id` unique per reading, e.g. device and sequence number) on `sensors/+`.
 * The job drops the readings whose id it saw already (a keyed "seen" flag
 * with a time-to-live, `--dedup-ttl-ms`, so its state does not grow for
 * ever) and appends the others to `readings` through the exactly-once
 * (two-phase commit) sink. Create the table first:
 *
 *   CREATE TABLE readings (id text PRIMARY KEY, sensor text NOT NULL, value double precision NOT NULL);
 *
 *   SPATE_MQTT_USERNAME=... SPATE_MQTT_PASSWORD=... PGUSER=app PGPASSWORD=... \
 *   spate run examples/mqtt_to_postgres.ts --local --checkpoint-interval 1000 -- \
 *     --broker mqtt://127.0.0.1:1883 --host 127.0.0.1 --port 5432 --database app
 *
 * Where duplicates come from, and where they go:
 * - the broker delivers again what no completed checkpoint acknowledged
 *   (after a failure): their earlier processing rolled back with the state,
 *   so they are processed once;
 * - the broker delivers again messages a completed checkpoint covered whose
 *   acknowledgement did not reach it before the failure, and a publisher that
 *   resends after a lost PUBACK publishes one reading twice: the dedup drops
 *   these (a resend later than the TTL would pass; the table's primary key
 *   then fails the job rather than store it twice).
 * The sink's rows of a checkpoint interval become visible when the
 * checkpoint completes. Credentials come from the environment (MQTT:
 * SPATE_MQTT_USERNAME/SPATE_MQTT_PASSWORD; PostgreSQL: PGUSER/PGPASSWORD),
 * so they never appear on the command line; neither is ever logged.
 * @module
 */

import {
  jobArgs,
  type KeyedProcessFunction,
  MqttSource,
  ParameterTool,
  type PostgresConnectionOptions,
  PostgresSink,
  stateTtlConfig,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from "spate";

/** One sensor reading, as published. */
interface Reading {
  readonly id: string;
  readonly sensor: string;
  readonly value: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const ttlMs = params.getNumber("dedup-ttl-ms", 3_600_000);
const db: PostgresConnectionOptions = {
  host: params.has("host") ? params.get("host") : undefined,
  port: params.has("port") ? params.getNumber("port", 5432) : undefined,
  database: params.has("database") ? params.get("database") : undefined,
};

/** Passes the first reading of each id (the stream is keyed by id). */
class FirstPerId implements KeyedProcessFunction<string, Reading, Reading> {
  private seen!: ValueState<boolean>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.seen = ctx.getState(new ValueStateDescriptor("seen", false, stateTtlConfig(ttlMs)));
  }
  processElement(r: Reading, _ctx: unknown, out: { collect(r: Reading): void }) {
    if (this.seen.value()) return;
    this.seen.update(true);
    out.collect(r);
  }
}

const decoder = new TextDecoder();
const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
env.fromSource(
  MqttSource.builder()
    .setBrokerUrl(params.get("broker", "mqtt://127.0.0.1:1883"))
    .setTopics(params.get("topics", "sensors/+"))
    .setQos(1)
    .setClientIdPrefix(params.get("client-id", "spate-mqtt-to-postgres"))
    .setDeserializer((payload) => JSON.parse(decoder.decode(payload)) as Reading)
    .build(),
  WatermarkStrategy.noWatermarks(),
  "readings",
).uid("readings")
  .keyBy((r) => r.id)
  .process(new FirstPerId()).uid("dedup")
  .sinkTo(
    PostgresSink.exactlyOnce<Reading>().connection(db)
      .table("readings").columns("id", "sensor", "value").build(),
  ).uid("readings-table");

await env.execute("MQTT readings into PostgreSQL");
