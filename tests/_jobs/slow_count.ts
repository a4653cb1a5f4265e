// A keyed count over a generator, slowed by a busy map, so a test can kill a
// worker while it runs. Args: --records N --keys K --work-us U --output PATH;
// --busy-after-keyby puts the busy map behind the keyBy exchange (a keyed map:
// its time is then spent in a task's input loop, and the sources end long
// before the job).
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const records = params.getNumber("records", 100_000);
const keys = params.getNumber("keys", 100);
const workUs = params.getNumber("work-us", 20);

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const generated = env.fromGenerator(
  records,
  (i) => [`k${(i * 7919) % keys}`, 1] as [string, number],
);
const busy = (r: [string, number]) => {
  const until = performance.now() + workUs / 1000;
  while (performance.now() < until) { /* simulated work */ }
  return r;
};
const busied = params.has("busy-after-keyby")
  ? generated.keyBy(([k]) => k).map(busy)
  : generated.map(busy);
busied.name("Busy")
  .keyBy(([k]) => k)
  .sum(1)
  .map(([k, n]) => `${k},${n}`)
  .writeAsText(params.getRequired("output"));
await env.execute("slow-count");
