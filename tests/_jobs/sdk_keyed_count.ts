// The SDK tests' job: --events events over --keys keys (at most --rate/s), a
// keyed running count, collected. A run resumed from a savepoint collects
// counts that go on from the saved ones: the last count of each key is its
// number of events over both runs.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 1000);
const keys = params.getNumber("keys", 10);
const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;

const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
await env.fromGenerator(events, (i) => [`k${i % keys}`, 1] as [string, number], {
  recordsPerSecond: rate,
}).uid("events")
  .keyBy((e) => e[0])
  .sum(1).uid("count")
  .executeAndCollect("sdk keyed count");
