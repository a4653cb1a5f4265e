/**
 * MQTT in, MQTT out: sensor readings published as JSON
 * (`{"sensor": "s1", "value": 21.5, "timeMs": 1733556000000}`) on
 * `sensors/<sensor>` are counted per sensor in tumbling event-time windows
 * (event time from the payload's `timeMs`; with `--arrival-time`, from when
 * the reading arrived), and each window's count is published, retained, to
 * `counts/<sensor>`. At-least-once end to end with checkpoints (QoS 1 in and
 * out); see README "Connectors > MQTT".
 *
 * ```sh
 * mosquitto -p 1883 &
 * deno task spate run examples/mqtt_counts.ts --local --checkpoint-interval 1000 -- \
 *   --broker mqtt://127.0.0.1:1883 --window-ms 10000
 * ```
 * Credentials: `SPATE_MQTT_USERNAME` / `SPATE_MQTT_PASSWORD` in the environment.
 * @module
 */

import {
  type AggregateFunction,
  jobArgs,
  MqttSink,
  MqttSource,
  ParameterTool,
  type ProcessWindowFunction,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";

/** One sensor reading, as published. */
interface Reading {
  readonly sensor: string;
  readonly value: number;
  readonly timeMs: number;
}

/** A window's count of one sensor's readings. */
interface WindowCount {
  readonly sensor: string;
  readonly windowEndMs: number;
  readonly readings: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const broker = params.get("broker", "mqtt://127.0.0.1:1883");
const windowMs = params.getNumber("window-ms", 10_000);
const arrivalTime = params.has("arrival-time");

const decoder = new TextDecoder();
const source = MqttSource.builder()
  .setBrokerUrl(broker)
  .setTopics(params.get("topics", "sensors/+"))
  .setQos(1)
  .setClientIdPrefix(params.get("client-id", "spate-mqtt-counts"))
  .setDeserializer((payload, info): Reading => {
    const r = JSON.parse(decoder.decode(payload)) as Reading;
    return arrivalTime ? { ...r, timeMs: info.arrivalMs } : r;
  })
  .build();

const count: AggregateFunction<Reading, number, number> = {
  createAccumulator: () => 0,
  add: (_r, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};
const withSensor: ProcessWindowFunction<number, WindowCount, string, TimeWindow> = {
  process(sensor, ctx, [readings], out) {
    out.collect({ sensor, windowEndMs: ctx.window.end, readings });
  },
};

const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
env.fromSource(
  source,
  WatermarkStrategy.forBoundedOutOfOrderness<Reading>(2_000)
    .withTimestampAssigner((r) => r.timeMs)
    .withIdleness(30_000),
  "MQTT sensors",
).uid("mqtt-sensors")
  .keyBy((r) => r.sensor)
  .window(TumblingEventTimeWindows.of(windowMs))
  .aggregate(count, withSensor).uid("counts")
  .sinkTo(
    MqttSink.builder<WindowCount>()
      .setBrokerUrl(broker)
      .setTopic((c) => `counts/${c.sensor}`)
      .setQos(1)
      .setRetain(true)
      .build(),
  ).uid("mqtt-counts");
await env.execute("mqtt counts");
