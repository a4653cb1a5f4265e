// MQTT test job: messages {"id": i, "key": "k.."} on --topic/# (QoS 1, shared
// subscription over the parallel readers) are counted per key twice: as they
// come ("raw", at-least-once: a message replayed after a failure counts
// twice) and after a keyed dedup by message id ("dedup": each id counted
// once, so the counts equal the reference). Both counts go to exactly-once
// file sinks under --out/raw and --out/dedup as "key,count" lines. With
// --echo-topic, each deduplicated count is published there too (MQTT sink).
// --keepalive-s and --connect-timeout-ms set the source's keep-alive and
// connect timeout (how soon a frozen broker fails the task).
import {
  FileSink,
  jobArgs,
  type KeyedProcessFunction,
  MqttSink,
  MqttSource,
  ParameterTool,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from "spate";

type Event = { id: number; key: string };

const params = ParameterTool.fromArgs(jobArgs());
const broker = params.getRequired("broker");
const topic = params.getRequired("topic");
const out = params.getRequired("out");
const echo = params.has("echo-topic") ? params.getRequired("echo-topic") : undefined;

/** Passes the first message of each id (the stream is keyed by id). */
class FirstPerId implements KeyedProcessFunction<number, Event, Event> {
  private seen!: ValueState<boolean>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.seen = ctx.getState(new ValueStateDescriptor("seen", false));
  }
  processElement(e: Event, _ctx: unknown, out: { collect(r: Event): void }) {
    if (this.seen.value()) return;
    this.seen.update(true);
    out.collect(e);
  }
}

const decoder = new TextDecoder();
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const events = env.fromSource(
  MqttSource.builder()
    .setBrokerUrl(broker)
    .setTopics(`${topic}/#`)
    .setQos(1)
    .setClientIdPrefix(params.get("client-id", "spate-test-job"))
    .setKeepAliveSeconds(params.getNumber("keepalive-s", 30))
    .setConnectTimeoutMs(params.getNumber("connect-timeout-ms", 10_000))
    .setDeserializer((payload) => JSON.parse(decoder.decode(payload)) as Event)
    .build(),
  WatermarkStrategy.noWatermarks(),
  "mqtt events",
).uid("mqtt");

const count = (stream: typeof events, name: string) =>
  stream.map((e) => [e.key, 1] as [string, number]).uid(`${name}-pair`)
    .keyBy((p) => p[0])
    .sum(1).uid(`${name}-count`);

count(events, "raw").map((c) => `${c[0]},${c[1]}`).uid("raw-format")
  .sinkTo(FileSink.forRowFormat(`${out}/raw`).build()).uid("raw-files");
const dedup = count(events.keyBy((e) => e.id).process(new FirstPerId()).uid("dedup"), "dedup");
dedup.map((c) => `${c[0]},${c[1]}`).uid("dedup-format")
  .sinkTo(FileSink.forRowFormat(`${out}/dedup`).build()).uid("dedup-files");
if (echo !== undefined) {
  dedup.sinkTo(
    MqttSink.builder<[string, number]>().setBrokerUrl(broker)
      .setTopic((c) => `${echo}/${c[0]}`)
      .setQos(1)
      .setRetain(true)
      .setSerializer((c) => String(c[1]))
      .build(),
  ).uid("echo");
}
await env.execute("mqtt keyed count");
