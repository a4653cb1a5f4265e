// An unbounded, rate-limited keyed job with event time: generated events
// (timestamp = wall clock) counted per key in 1 s tumbling windows, the
// counts dropped by a sink of its own vertex. It runs until cancelled: the
// metrics tests watch its three vertices (source, window, sink) move.
// Args: [--rate EVENTS_PER_SECOND] [--keys N]
import {
  jobArgs,
  ParameterTool,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";

type Ev = { k: number; ts: number };

const params = ParameterTool.fromArgs(jobArgs());
const rate = params.getNumber("rate", 2000);
const keys = params.getNumber("keys", 16);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
env.fromGenerator(Infinity, (i): Ev => ({ k: i % keys, ts: Date.now() }), {
  recordsPerSecond: rate,
}).uid("events")
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Ev>(100).withTimestampAssigner((e) => e.ts),
  ).uid("timestamps")
  .keyBy((e) => e.k)
  .window(TumblingEventTimeWindows.of(1000))
  .aggregate<number, number>({
    createAccumulator: () => 0,
    add: (_e, n) => n + 1,
    getResult: (n) => n,
    merge: (a, b) => a + b,
  }).uid("counts")
  .rebalance()
  .addSink(() => {}).name("Discard").uid("discard");
await env.execute("windowed counts");
