// MQTT -> keyed count -> PostgreSQL, exactly once in the table although MQTT
// QoS 1 delivers at least once. Messages {"id": i, "key": "k.."} on
// --topic/# (QoS 1, shared subscription over the parallel readers) go
// through a keyed dedup by message id: the id is kept in keyed state (with a
// time-to-live, --dedup-ttl-ms, so the state does not grow forever) and a
// message whose id was seen is a duplicate, dropped. The first delivery of
// each id is counted per key and each count (key, n) is a row of --table
// through the exactly-once sink. What MQTT delivered again is recorded in
// --dup-table as rows (id, dup_flag, removed): every duplicate the dedup
// dropped (removed), and every first delivery the broker marked as a
// redelivery (DUP flag: its earlier delivery rolled back with the state).
// Both sinks commit in two phases, so a row is there once whatever fails.
//
// Credentials: MQTT from --mqtt-user/--mqtt-password, else
// SPATE_MQTT_USERNAME/SPATE_MQTT_PASSWORD in the workers' environment;
// PostgreSQL from --pg-password, else PGUSER/PGPASSWORD there.
import {
  jobArgs,
  type KeyedProcessFunction,
  MqttSource,
  OutputTag,
  ParameterTool,
  PostgresSink,
  stateTtlConfig,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
  WatermarkStrategy,
} from "spate";

type Message = { id: number; key: string; dup: boolean };
/** A row of --dup-table: id, DUP flag, dropped by the dedup. */
type Redelivery = [number, boolean, boolean];

const params = ParameterTool.fromArgs(jobArgs());
const broker = params.getRequired("broker");
const topic = params.getRequired("topic");
const table = params.getRequired("table");
const dupTable = params.getRequired("dup-table");
const ttlMs = params.getNumber("dedup-ttl-ms", 600_000);
const connection = {
  host: "127.0.0.1",
  port: params.getNumber("pg-port", 5432),
  database: "postgres",
  ...(params.has("pg-password")
    ? { user: params.get("pg-user", "spate"), password: params.getRequired("pg-password") }
    : {}),
};

const duplicates = new OutputTag<Message>("mqtt-duplicates");

/** Passes the first message of each id; later ones go to the duplicates output. */
class FirstPerId implements KeyedProcessFunction<number, Message, Message> {
  private seen!: ValueState<boolean>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.seen = ctx.getState(new ValueStateDescriptor("seen", false, stateTtlConfig(ttlMs)));
  }
  processElement(
    m: Message,
    ctx: { output<X>(tag: OutputTag<X>, value: X): void },
    out: { collect(r: Message): void },
  ) {
    if (this.seen.value()) return ctx.output(duplicates, m);
    this.seen.update(true);
    out.collect(m);
  }
}

const source = MqttSource.builder()
  .setBrokerUrl(broker)
  .setTopics(`${topic}/#`)
  .setQos(1)
  .setClientIdPrefix(params.get("client-id", "spate-mqtt-to-pg"));
if (params.has("mqtt-password")) {
  source.setCredentials(params.getRequired("mqtt-user"), params.getRequired("mqtt-password"));
}
const decoder = new TextDecoder();
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const messages = env.fromSource(
  source.setDeserializer((payload, info) => {
    const m = JSON.parse(decoder.decode(payload)) as { id: number; key: string };
    return { id: m.id, key: m.key, dup: info.duplicate };
  }).build(),
  WatermarkStrategy.noWatermarks(),
  "mqtt messages",
).uid("mqtt");

const firsts = messages.keyBy((m) => m.id).process(new FirstPerId()).uid("dedup");
firsts.getSideOutput(duplicates)
  .map((m) => [m.id, m.dup, true] as Redelivery).uid("removed-row")
  .union(
    firsts.filter((m) => m.dup).uid("redelivered")
      .map((m) => [m.id, true, false] as Redelivery).uid("redelivered-row"),
  )
  .sinkTo(
    PostgresSink.exactlyOnce<Redelivery>().connection(connection).table(dupTable)
      .columns("id", "dup_flag", "removed").sinkId("dups").build(),
  ).uid("dup-sink");
firsts.map((m) => [m.key, 1] as [string, number]).uid("pair")
  .keyBy((p) => p[0])
  .sum(1).uid("count")
  .sinkTo(
    PostgresSink.exactlyOnce<[string, number]>().connection(connection).table(table)
      .columns("key", "n").sinkId("counts").build(),
  ).uid("count-sink");
await env.execute("mqtt to postgres");
