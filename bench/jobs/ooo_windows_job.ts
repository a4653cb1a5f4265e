/**
 * The job of `deno task bench windows --parallelism ...` (issue 24's case):
 * out-of-order CSV events `ts,key,value` read from a file, three keyed
 * event-time windows with `process` window functions (tumbling 1 s sum,
 * sliding 2 s / 0.5 s count, session 300 ms count), written as text.
 * Args: `--input PATH --output DIR [--out-of-orderness-ms 1000] [--align-drift-ms MS]`
 * (watermark alignment of the source subtasks; off by default)
 * `[--align-update-ms 200] [--watermark-interval-ms 200]` (the auto-watermark interval).
 * @module
 */

import {
  EventTimeSessionWindows,
  jobArgs,
  ParameterTool,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";
import type { ProcessWindowFunction, TimeWindow } from "spate";

interface Ev {
  ts: number;
  key: string;
  value: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const input = params.getRequired("input");
const output = params.getRequired("output");
const disorderMs = params.getNumber("out-of-orderness-ms", 1000);
const alignDriftMs = params.has("align-drift-ms")
  ? Number(params.getRequired("align-drift-ms"))
  : undefined;
const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Ev>(disorderMs)
  .withTimestampAssigner((e) => e.ts);

const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
if (params.has("watermark-interval-ms")) {
  env.setAutoWatermarkInterval(params.getNumber("watermark-interval-ms", 200));
}
const events = env.readTextFile(input)
  .map((line): Ev => {
    const [ts, key, value] = line.split(",");
    return { ts: Number(ts), key, value: Number(value) };
  })
  .name("Parse")
  .assignTimestampsAndWatermarks(
    alignDriftMs === undefined ? strategy : strategy.withWatermarkAlignment(
      "input",
      alignDriftMs,
      params.getNumber("align-update-ms", 200),
    ),
  );

const sum: ProcessWindowFunction<Ev, string, string, TimeWindow> = {
  process(key, ctx, elements, out) {
    let s = 0;
    for (const e of elements) s += e.value;
    out.collect(`sum,${key},${ctx.window.start},${s}`);
  },
};
const count = (kind: string): ProcessWindowFunction<Ev, string, string, TimeWindow> => ({
  process(key, ctx, elements, out) {
    out.collect(`${kind},${key},${ctx.window.start},${ctx.window.end},${elements.length}`);
  },
});

const keyed = events.keyBy((e) => e.key);
const tumbling = keyed.window(TumblingEventTimeWindows.of(1000)).process(sum).name("Tumbling");
const sliding = keyed.window(SlidingEventTimeWindows.of(2000, 500)).process(count("sliding"))
  .name("Sliding");
const sessions = keyed.window(EventTimeSessionWindows.withGap(300)).process(count("session"))
  .name("Sessions");
tumbling.union(sliding, sessions).writeAsText(output);
await env.execute("out-of-order windows");
