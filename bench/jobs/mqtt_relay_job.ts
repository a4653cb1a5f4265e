// The MQTT benchmark's job: every message on --in (QoS 0) is published
// again to --out (QoS 0), through a map, as MQTT -> spate -> MQTT.
import { jobArgs, MqttSink, MqttSource, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const broker = params.getRequired("broker");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(
  MqttSource.builder().setBrokerUrl(broker).setTopics(params.getRequired("in")).setQos(0)
    .setDeserializer((payload) => payload).build(),
  "MQTT in",
).map((payload) => payload)
  .sinkTo(
    MqttSink.builder<Uint8Array>().setBrokerUrl(broker).setTopic(params.getRequired("out"))
      .setQos(0).build(),
  );
await env.execute("mqtt relay");
