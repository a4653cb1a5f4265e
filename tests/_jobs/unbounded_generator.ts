// An unbounded generator (uid "generator"), optionally rate-limited, into a
// sink that drops every record: a job that runs until it is cancelled.
// Args: [--rate RECORDS_PER_SECOND]
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromGenerator(Infinity, (i) => i, { recordsPerSecond: rate }).uid("generator")
  .addSink(() => {}).name("Discard").uid("discard");
await env.execute("unbounded generator");
