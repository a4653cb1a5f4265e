// Window scenarios, one per `--case`, over the scripted events of
// event_time_cases.ts (out of order, with punctuated watermarks); each exports
// what its collect sink received. The source runs in one subtask so the order
// of records and watermarks at each window subtask is the script's.
import {
  CountEvictor,
  EventTimeSessionWindows,
  jobArgs,
  OutputTag,
  ParameterTool,
  StreamExecutionEnvironment,
  type TimeWindow,
  type Trigger,
  type TriggerContext,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
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

/**
 * Fires and purges a window when the sum of its elements since the last
 * firing reaches `threshold`, and at the window's end (event time) if
 * anything is left.
 */
function sumAtLeast(threshold: number): Trigger<Ev, TimeWindow> {
  return {
    canMerge: false,
    onElement(e: Ev, _ts: number, w: TimeWindow, ctx: TriggerContext) {
      const sum = ctx.getState<number>("sum");
      const now = (sum.value() ?? 0) + e.v;
      ctx.registerEventTimeTimer(w.maxTimestamp());
      if (now >= threshold) {
        sum.clear();
        return TriggerResult.FIRE_AND_PURGE;
      }
      sum.update(now);
      return TriggerResult.CONTINUE;
    },
    onEventTime(time: number, w: TimeWindow, ctx: TriggerContext) {
      if (time !== w.maxTimestamp()) return TriggerResult.CONTINUE;
      const left = ctx.getState<number>("sum").value();
      return left === undefined || left === null
        ? TriggerResult.CONTINUE
        : TriggerResult.FIRE_AND_PURGE;
    },
    onProcessingTime: () => TriggerResult.CONTINUE,
    clear(w: TimeWindow, ctx: TriggerContext) {
      ctx.getState<number>("sum").clear();
      ctx.deleteEventTimeTimer(w.maxTimestamp());
    },
  };
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
    case "window-all":
      // [window start, sum of every key's values]: one window operator, no keys.
      return events(SCRIPT).windowAll(TumblingEventTimeWindows.of(10)).process<unknown[]>({
        process(ctx, elements, out) {
          const w = ctx.window as TimeWindow;
          out.collect([w.start, elements.reduce((n, e) => n + e.v, 0)]);
        },
      });
    case "cogroup": {
      // [key, window start, left values, right values] for every key and window with either side.
      const inOrder = SCRIPT.filter((_, i) => i !== 5 && i !== 7);
      const left = events(inOrder.filter((_, i) => i % 2 === 0));
      const right = events(inOrder.filter((_, i) => i % 3 === 1));
      return left.coGroup(right).where((e) => e.k).equalTo((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .apply<unknown[]>((ls, rs, out) => {
          const e = ls[0] ?? rs[0];
          const values = (xs: Ev[]) => xs.map((x) => x.v).sort((a, b) => a - b);
          out.collect([e.k, Math.floor(e.ts / 10) * 10, values(ls), values(rs)]);
        });
    }
    case "evictor":
      // [key, window start, values kept]: a CountEvictor keeps each window's last 2 arrivals.
      return events(SCRIPT).keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .evictor(CountEvictor.of(2))
        .process<unknown[]>({
          process(key, ctx, elements, out) {
            const w = ctx.window as TimeWindow;
            out.collect([key, w.start, elements.map((e) => e.v)]);
          },
        });
    case "trigger":
      // [key, window start, sum]: a custom trigger fires (and purges) a window each time its
      // running sum reaches 10 or more, and at its end for what is left (no late firing).
      return events(SCRIPT).keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10))
        .trigger(sumAtLeast(10))
        .process<unknown[]>({
          process(key, ctx, elements, out) {
            const w = ctx.window as TimeWindow;
            out.collect([key, w.start, elements.reduce((n, e) => n + e.v, 0)]);
          },
        });
    case "processing-time": {
      // [window start, window end, count]: tumbling processing-time windows of 50 ms over the
      // whole script; where the windows fall depends on the clock, what they hold does not.
      return env.fromCollection(SCRIPT).setParallelism(1)
        .windowAll(TumblingProcessingTimeWindows.of(50))
        .process<unknown[]>({
          process(ctx, elements, out) {
            const w = ctx.window as TimeWindow;
            out.collect([w.start, w.end, elements.length, elements.reduce((n, e) => n + e.v, 0)]);
          },
        });
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
