// The job of the savepoint compatibility fixture (tests/fixtures/): --events
// events (at most --rate per second) over --keys keys of three kinds (a
// string, an integer, a structured key), counted per key; prints "key,count"
// per event (key as JSON). Restored from the fixture, every key's last line
// must be its full count: only what the savepoint held plus the rest.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 3000);
const keys = params.getNumber("keys", 30);
const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;

/** Event i's key: one of three kinds, so restore is checked for each kind's hash. */
export function keyOf(i: number, keys: number): unknown {
  const k = (i * 7919) % keys;
  return k % 3 === 0 ? `s${k}` : k % 3 === 1 ? k : { user: `u${k}`, shard: k % 4 };
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromGenerator(events, (i) => [keyOf(i, keys), 1] as [unknown, number], {
  recordsPerSecond: rate,
}).uid("events")
  .keyBy((e) => e[0])
  .sum(1).uid("count")
  .map((e) => `${JSON.stringify(e[0])},${e[1]}`).uid("format")
  .print().uid("print");
await env.execute("state fixture");
