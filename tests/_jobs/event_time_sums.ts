// Event-time failure test job: --events events over --keys keys (at most
// --rate events/s overall); event i has timestamp i and value i % 7 + 1.
// Per key, sums over 1000 ms buckets by event-time timers and by tumbling
// windows, and counts of 2000 ms windows sliding by 1000 ms, written by the
// exactly-once file sink as "timer|window,key,bucket,sum" and
// "sliding,key,start,count" lines under --out.
// Whatever the failures, the committed lines equal an uninterrupted run's
// (tests/_helpers/event_time_sums.ts computes them).
import {
  FileSink,
  jobArgs,
  type KeyedProcessFunction,
  type MapState,
  MapStateDescriptor,
  ParameterTool,
  type RuntimeContext,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";

type Ev = { k: string; ts: number; v: number };
const BUCKET_MS = 1000;

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 100_000);
const keys = params.getNumber("keys", 100);
const rate = params.has("rate") ? params.getNumber("rate", 0) : undefined;
const out = params.getRequired("out");

class BucketSums implements KeyedProcessFunction<string, Ev, string> {
  private sums!: MapState<number, number>;
  open(ctx: RuntimeContext) {
    this.sums = ctx.getMapState(new MapStateDescriptor<number, number>("sums"));
  }
  processElement(
    e: Ev,
    ctx: Parameters<KeyedProcessFunction<string, Ev, string>["processElement"]>[1],
  ) {
    const bucket = Math.floor(e.ts / BUCKET_MS) * BUCKET_MS;
    this.sums.put(bucket, (this.sums.get(bucket) ?? 0) + e.v);
    ctx.timerService().registerEventTimeTimer(bucket + BUCKET_MS - 1);
  }
  onTimer(
    time: number,
    ctx: { getCurrentKey(): string },
    collector: { collect(line: string): void },
  ) {
    const bucket = time - BUCKET_MS + 1;
    collector.collect(`timer,${ctx.getCurrentKey()},${bucket},${this.sums.get(bucket)}`);
    this.sums.remove(bucket);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
const timed = env.fromGenerator(
  events,
  (i): Ev => ({ k: `k${(i * 7919) % keys}`, ts: i, v: (i % 7) + 1 }),
  { recordsPerSecond: rate },
).uid("events")
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forBoundedOutOfOrderness<Ev>(50).withTimestampAssigner((e) => e.ts),
  ).uid("timestamps");
const byKey = timed.keyBy((e) => e.k);
const timers = byKey.process(new BucketSums()).uid("bucket-timers");
// The same sums by tumbling windows (aligned, in two phases: the sum merges), and counts
// of sliding windows (2 buckets wide; all elements kept, the general window operator).
const tumbling = byKey.window(TumblingEventTimeWindows.of(BUCKET_MS))
  .aggregate<number, number, string>(
    {
      createAccumulator: () => 0,
      add: (e, acc) => acc + e.v,
      getResult: (acc) => acc,
      merge: (a, b) => a + b,
    },
    {
      process: (key, ctx, [sum], out) =>
        out.collect(`window,${key},${(ctx.window as TimeWindow).start},${sum}`),
    },
  ).uid("tumbling");
const sliding = byKey.window(SlidingEventTimeWindows.of(2 * BUCKET_MS, BUCKET_MS))
  .process<string>({
    process: (key, ctx, elements, out) =>
      out.collect(`sliding,${key},${(ctx.window as TimeWindow).start},${elements.length}`),
  }).uid("sliding");
timers.union(tumbling, sliding).sinkTo(FileSink.forRowFormat(out).build()).uid("files");
await env.execute("event-time sums");
