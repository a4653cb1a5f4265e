// Exactly-once test job: a generator of --events events over --keys keys
// (at most --rate events/s overall), keyed count, and the exactly-once file
// sink writing "key,count" lines under --out. Checkpointing comes from the
// command line (--checkpoint-interval). Whatever the failures, the committed
// lines must be exactly { "k,i" : 1 <= i <= events of key k }.
import { FileSink, jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 100_000);
const keys = params.getNumber("keys", 1000);
const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;
const out = params.getRequired("out");

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromGenerator(events, (i) => [`k${(i * 7919) % keys}`, 1] as [string, number], {
  recordsPerSecond: rate,
}).uid("events")
  .keyBy((e) => e[0])
  .sum(1).uid("count")
  .map((e) => `${e[0]},${e[1]}`).uid("format")
  .sinkTo(FileSink.forRowFormat(out).build()).uid("files");
await env.execute("keyed count");
