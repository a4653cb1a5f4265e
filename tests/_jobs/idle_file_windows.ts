// Idle source test job: watches --input (readTextFile continuous mode) at
// parallelism 2, reads `ts,key` lines, and counts them per key in 1 s
// event-time windows, written as text under --out as "key,start,count".
// Runs until cancelled; windows fire only if the subtask with no file does
// not hold the watermark back.
import {
  jobArgs,
  ParameterTool,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment().setParallelism(2);
env.readTextFile(params.getRequired("input"), { continuous: true, intervalMs: 100 })
  .map((line) => {
    const [ts, key] = line.split(",");
    return { ts: Number(ts), key };
  })
  .assignTimestampsAndWatermarks(
    WatermarkStrategy.forMonotonousTimestamps<{ ts: number; key: string }>()
      .withTimestampAssigner((e) => e.ts),
  )
  .keyBy((e) => e.key)
  .window(TumblingEventTimeWindows.of(1000))
  .process<string>({
    process(key, ctx, elements, out) {
      out.collect(`${key},${ctx.window.start},${elements.length}`);
    },
  })
  .writeAsText(params.getRequired("out"));
await env.execute("idle file windows");
