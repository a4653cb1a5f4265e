// A keyed count whose costly step runs after an exchange (rebalance), so its time
// is spent in a task's input loop (not in a source batch). Args: --records N
// --keys K --work-us U --output PATH.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 100_000);
const keys = params.getNumber("keys", 100);
const workUs = params.getNumber("work-us", 20);

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromGenerator(records, (i) => [`k${(i * 7919) % keys}`, 1] as [string, number])
  .rebalance()
  .map((r) => {
    const until = performance.now() + workUs / 1000;
    while (performance.now() < until) { /* simulated work */ }
    return r;
  }).name("Busy")
  .keyBy(([k]) => k)
  .sum(1)
  .map(([k, n]) => `${k},${n}`)
  .writeAsText(params.getRequired("output"));
await env.execute("slow-keyed-count");
