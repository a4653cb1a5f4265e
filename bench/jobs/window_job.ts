// Window benchmark job: --events generated events over --keys keys, --per-ms
// per ms of event time (ascending timestamps, as the raw loop gets them), summed
// per key in tumbling (--kind tumbling) or sliding (--kind sliding) event-time
// windows of --window-ms (sliding by --slide-ms). The sink reports on stderr
// `window-sink {"windows":N,"checksum":C,"firstMs":T0,"lastMs":T1}`: the
// window results, a checksum of them the raw loop must match, and the
// wall-clock span from the first event to the end of input.
import {
  jobArgs,
  ParameterTool,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";
import { benchEvent, windowChecksum, type WindowEvent } from "../window_events.ts";

const params = ParameterTool.fromArgs(jobArgs());
const events = params.getNumber("events", 1_000_000);
const keys = params.getNumber("keys", 1000);
const perMs = params.getNumber("per-ms", 100);
const windowMs = params.getNumber("window-ms", 1000);
const slideMs = params.getNumber("slide-ms", 100);
const kind = params.get("kind", "tumbling");
const merge = params.get("merge", "true") !== "false";

const now = () => performance.timeOrigin + performance.now();
let firstMs = 0;
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const timed = env.fromGenerator(events, (i) => benchEvent(i, keys, perMs))
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps<WindowEvent>().withTimestampAssigner((e) => {
      if (firstMs === 0) firstMs = now();
      return e.ts;
    }),
  );
const assigner = kind === "sliding"
  ? SlidingEventTimeWindows.of(windowMs, slideMs)
  : TumblingEventTimeWindows.of(windowMs);
let windows = 0, checksum = 0;
timed.keyBy((e) => e.key)
  .window(assigner)
  .aggregate<number, number, [number, number, number]>(
    {
      createAccumulator: () => 0,
      add: (e, acc) => acc + e.value,
      getResult: (acc) => acc,
      // Lets sliding windows share slices (one accumulator update per event, not one per window).
      merge: merge ? (a, b) => a + b : undefined,
    },
    {
      process: (key, ctx, [sum], out) =>
        out.collect([(ctx.window as TimeWindow).end, key, sum] as [number, number, number]),
    },
  )
  .addSink({
    invoke([end, key, sum]: [number, number, number]) {
      windows++;
      checksum = windowChecksum(checksum, end, key, sum);
    },
    close() {
      const lastMs = now();
      console.error(`window-sink ${JSON.stringify({ windows, checksum, firstMs, lastMs })}`);
    },
  }).name("Checksum");
await env.execute(`windows ${kind}`);
