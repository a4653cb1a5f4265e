// The JetStream benchmark's job: every message of stream --in-stream is
// published again to --out-subject (with a de-duplication id, acknowledged
// at each checkpoint), through a map, as JetStream -> spate -> JetStream.
import {
  JetStreamSink,
  JetStreamSource,
  jobArgs,
  ParameterTool,
  StreamExecutionEnvironment,
  WatermarkStrategy,
} from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const server = params.getRequired("server");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromSource(
  JetStreamSource.builder().setServers(server).setStream(params.getRequired("in-stream"))
    .setBatchSize(params.getNumber("batch", 1000))
    .setDeserializer((data) => data).build(),
  WatermarkStrategy.noWatermarks(),
  "JetStream in",
).map((data) => data)
  .sinkTo(
    JetStreamSink.builder<Uint8Array>().setServers(server)
      .setStream(params.getRequired("out-stream"))
      .setSubject(params.getRequired("out-subject")).build(),
  );
await env.execute("jetstream relay");
