// Window scenarios, one per `--case`, over the scripted events of
// event_time_cases.ts (out of order, with punctuated watermarks); each exports
// what its collect sink received. The source runs in one subtask so the order
// of records and watermarks at each window subtask is the script's.
import {
  EventTimeSessionWindows,
  jobArgs,
  OutputTag,
  ParameterTool,
  StreamExecutionEnvironment,
  type TimeWindow,
  TumblingEventTimeWindows,
} from "spate";
import { type Ev, SCRIPT, scriptedStrategy } from "./_scripted_events.ts";

export type { Ev } from "./_scripted_events.ts";
export { SCRIPT } from "./_scripted_events.ts";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const late = new OutputTag<Ev>("late");

function events(script: Ev[]) {
  return env.fromCollection(script).setParallelism(1)
    .assignTimestampsAndWatermarks(scriptedStrategy).setParallelism(1);
}

function build(name: string) {
  switch (name) {
    case "tumbling": {
      // [key, window start, sum, record timestamp]; too-late events: ["late", key, ts].
      const sums = events(SCRIPT).keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .allowedLateness(params.getNumber("lateness", 0))
        .sideOutputLateData(late)
        .aggregate<number, number, unknown[]>(
          {
            createAccumulator: () => 0,
            add: (e: Ev, acc: number) => acc + e.v,
            getResult: (acc: number) => acc,
            // --merge: the sums merge, so the windows aggregate in two phases.
            merge: params.get("merge", "false") === "true" ? (a, b) => a + b : undefined,
          },
          {
            process(key: string, ctx, [sum], out) {
              out.collect([key, (ctx.window as TimeWindow).start, sum]);
            },
          },
        );
      const stamped = sums.rebalance().process<unknown[]>({
        processElement: (r, ctx, out) => out.collect([...r, ctx.timestamp()]),
      });
      return stamped.union(sums.getSideOutput(late).map((e): unknown[] => ["late", e.k, e.ts]));
    }
    case "sessions":
      // [key, session start, session end, values in ascending order]
      return events(SCRIPT).keyBy((e) => e.k)
        .window(EventTimeSessionWindows.withGap(5))
        .process<unknown[]>({
          process(key, ctx, elements, out) {
            const w = ctx.window as TimeWindow;
            out.collect([key, w.start, w.end, elements.map((e) => e.v).sort((a, b) => a - b)]);
          },
        });
    case "join": {
      // Every other in-order event joins all in-order events of its key and 10 ms window.
      const inOrder = SCRIPT.filter((_, i) => i !== 5 && i !== 7);
      const left = events(inOrder.filter((_, i) => i % 2 === 0));
      const right = events(inOrder);
      return left.join(right).where((e) => e.k).equalTo((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .apply((a, b): unknown[] => [a.k, Math.floor(a.ts / 10) * 10, a.v, b.v]);
    }
    case "count-all":
      // Sums of each 3 events of the whole stream, in script order.
      return events(SCRIPT).countWindowAll(3).sum("v").map((e): unknown[] => [e.v]);
    default:
      throw new Error(`unknown case ${name}`);
  }
}

// deno-lint-ignore no-explicit-any
const stream = build(params.getRequired("case")) as any;
export const results: unknown[] = await stream.executeAndCollect(params.get("case")).toArray();
