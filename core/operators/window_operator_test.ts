import assert from "node:assert/strict";
import type { DataStream } from "../datastream/data_stream.ts";
import { OutputTag } from "../api/functions.ts";
import type { KeyedStream } from "../datastream/keyed_stream.ts";
import { setJobContext } from "../datastream/execution_context.ts";
import { StreamExecutionEnvironment } from "../datastream/stream_execution_environment.ts";
import type { OperatorTransformation } from "../graph/transformation.ts";
import type { ProcessWindowFunction } from "../api/window_functions.ts";
import { ValueStateDescriptor } from "../api/state.ts";
import { ContinuousEventTimeTrigger } from "../windows/continuous_triggers.ts";
import { TimeEvictor } from "../windows/evictors.ts";
import { EventTimeSessionWindows } from "../windows/session_windows.ts";
import { SlidingEventTimeWindows } from "../windows/sliding_windows.ts";
import type { TimeWindow } from "../windows/time_window.ts";
import {
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
} from "../windows/tumbling_windows.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import type { StreamOperator } from "./stream_operator.ts";

type Ev = { k: string; v: number };
const ev = (k: string, v: number): Ev => ({ k, v });

/** A keyed stream of `Ev` to build window operators from (never executed). */
function keyed(): KeyedStream<Ev, string> {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  // One phase: these tests drive the window operator itself with elements.
  const env = StreamExecutionEnvironment.getExecutionEnvironment().setWindowPreAggregation(0);
  return env.fromElements(ev("x", 0)).keyBy((e) => e.k);
}

/** An open harness around the operator `stream` ends with. */
async function harness<T>(stream: DataStream<T>, processingTime = 0) {
  const op = (stream.transformation as OperatorTransformation).factory();
  return await new OperatorHarness(op as StreamOperator<Ev, T>, { keyed: true, processingTime })
    .open();
}

/** Shows what a window function sees: key, window and the elements. */
const describe: ProcessWindowFunction<Ev, string, string, TimeWindow> = {
  process(key, ctx, elements, out) {
    out.collect(`${key} ${ctx.window} ${elements.map((e) => e.v).join("+")}`);
  },
};

Deno.test("tumbling event-time windows fire once the watermark passes their end, with out-of-order input", async () => {
  const h = await harness(keyed().window(TumblingEventTimeWindows.of(10)).sum("v"));
  h.element(ev("a", 1), 3).element(ev("b", 10), 12).element(ev("a", 2), 1).element(ev("a", 4), 11);
  h.watermark(8);
  assert.deepEqual(h.timestamped(), []);
  h.watermark(9);
  assert.deepEqual(h.timestamped(), [[ev("a", 3), 9]]);
  h.element(ev("a", 100), 5); // its window fired and is gone: dropped
  h.watermark(30);
  assert.deepEqual(h.timestamped(), [[ev("a", 3), 9], [ev("b", 10), 19], [ev("a", 4), 19]]);
  assert.deepEqual(h.watermarks(), [8, 9, 30]);
});

Deno.test("late elements go to the side output; allowed lateness fires the window again", async () => {
  const late = new OutputTag<Ev>("late");
  const windowed = keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(5)
    .sideOutputLateData(late).sum("v");
  const h = await harness(windowed);
  h.element(ev("a", 1), 2).watermark(10);
  assert.deepEqual(h.timestamped(), [[ev("a", 1), 9]]);
  h.element(ev("a", 2), 4); // late but within the lateness: fires again with the update
  assert.deepEqual(h.timestamped(), [[ev("a", 1), 9], [ev("a", 3), 9]]);
  h.watermark(14); // cleanup at 9 + 5 = 14
  h.element(ev("a", 7), 5);
  assert.deepEqual(h.side("late"), [ev("a", 7)]);
  assert.equal(h.records().length, 2);
});

Deno.test("sliding windows aggregate incrementally; the process function sees the result and the window", async () => {
  const avg = {
    createAccumulator: () => [0, 0] as [number, number],
    add: (e: Ev, acc: [number, number]): [number, number] => [acc[0] + e.v, acc[1] + 1],
    getResult: (acc: [number, number]) => acc[0] / acc[1],
  };
  const label: ProcessWindowFunction<number, string, string, TimeWindow> = {
    process: (key, ctx, [mean], out) => out.collect(`${key} ${ctx.window} ${mean}`),
  };
  const h = await harness(
    keyed().window(SlidingEventTimeWindows.of(10, 5)).aggregate(avg, label),
  );
  h.element(ev("a", 2), 1).element(ev("a", 4), 6).element(ev("a", 9), 12);
  h.watermark(100);
  assert.deepEqual(h.records(), [
    "a [-5, 5) 2",
    "a [0, 10) 3",
    "a [5, 15) 6.5",
    "a [10, 20) 9",
  ]);
});

Deno.test("session windows merge, with the contents and triggers of merged sessions moved", async () => {
  const h = await harness(keyed().window(EventTimeSessionWindows.withGap(5)).process(describe));
  h.element(ev("a", 1), 0).element(ev("a", 2), 20).element(ev("b", 3), 2);
  h.element(ev("a", 4), 10).element(ev("a", 5), 15); // [10,15) and [15,20) bridge to [20,25)
  h.element(ev("a", 6), 3); // joins [0, 5) -> [0, 8)
  h.watermark(8);
  assert.deepEqual(h.records(), ["b [2, 7) 3", "a [0, 8) 1+6"]); // in timer order
  h.watermark(100);
  // The bridging session keeps its state window; the merged one's elements follow.
  assert.deepEqual(h.records().slice(2), ["a [10, 25) 4+2+5"]);
});

Deno.test("dynamic session gaps per element", async () => {
  const gaps = EventTimeSessionWindows.withDynamicGap<Ev>((e) => e.v);
  const h = await harness(keyed().window(gaps).sum("v"));
  h.element(ev("a", 10), 0).element(ev("a", 1), 9).element(ev("a", 1), 20);
  h.watermark(100);
  assert.deepEqual(h.timestamped(), [[ev("a", 11), 9], [ev("a", 1), 20]]);
});

Deno.test("window contents, trigger state, sessions and timers survive a snapshot and restore", async () => {
  const build = () => keyed().window(EventTimeSessionWindows.withGap(5)).process(describe);
  const before = await harness(build());
  before.element(ev("a", 1), 0).element(ev("a", 2), 3).element(ev("b", 3), 50);
  const snap = await before.snapshot();
  before.element(ev("a", 99), 4); // after the checkpoint: lost with the failure
  const op = (build().transformation as OperatorTransformation).factory();
  const after = await new OperatorHarness(op as StreamOperator<Ev, string>, { keyed: true })
    .open(snap);
  after.element(ev("a", 4), 6);
  after.watermark(100);
  assert.deepEqual(after.records(), ["a [0, 11) 1+2+4", "b [50, 55) 3"]);
});

Deno.test("count windows: tumbling by count, and sliding by count with an evictor", async () => {
  const tumbling = await harness(keyed().countWindow(3).sum("v"));
  for (let i = 1; i <= 7; i++) tumbling.element(ev(i % 2 ? "a" : "b", i));
  assert.deepEqual(tumbling.records(), [ev("a", 9), ev("b", 12)]); // 1+3+5, 2+4+6

  const sliding = await harness(keyed().countWindow(3, 2).sum("v"));
  for (let i = 1; i <= 6; i++) sliding.element(ev("a", i));
  assert.deepEqual(sliding.records(), [ev("a", 3), ev("a", 9), ev("a", 15)]); // 1+2, 2+3+4, 4+5+6
});

Deno.test("a time evictor keeps the recent elements; continuous triggers fire early", async () => {
  const h = await harness(
    keyed().window(TumblingEventTimeWindows.of(100))
      .trigger(ContinuousEventTimeTrigger.of(20))
      .evictor(TimeEvictor.of(15))
      .process(describe),
  );
  h.element(ev("a", 1), 5).element(ev("a", 2), 15);
  h.watermark(20); // the early firing at 20 keeps what is within 15 ms of the newest
  assert.deepEqual(h.records(), ["a [0, 100) 1+2"]);
  h.element(ev("a", 3), 30);
  h.watermark(99); // early firings at 40, 60 and 80, then the window's end
  assert.deepEqual(h.records().slice(1), Array(4).fill("a [0, 100) 3"));
});

Deno.test("processing-time windows follow the task's clock", async () => {
  const h = await harness(keyed().window(TumblingProcessingTimeWindows.of(1_000)).sum("v"), 500);
  h.element(ev("a", 1)).element(ev("a", 2));
  h.advanceProcessingTime(998);
  assert.deepEqual(h.records(), []);
  h.advanceProcessingTime(999);
  assert.deepEqual(h.timestamped(), [[ev("a", 3), 999]]);
  h.element(ev("a", 5));
  h.advanceProcessingTime(2_500);
  assert.deepEqual(h.records(), [ev("a", 3), ev("a", 5)]);
});

Deno.test("window state lasts one window and clears with it; global state lasts across windows", async () => {
  const seen = new ValueStateDescriptor<number>("firings");
  const counting: ProcessWindowFunction<Ev, string, string, TimeWindow> = {
    process(key, ctx, elements, out) {
      const mine = ctx.windowState().getState(seen);
      const all = ctx.globalState().getState(seen);
      mine.update((mine.value() ?? 0) + 1);
      all.update((all.value() ?? 0) + 1);
      out.collect(
        `${key} ${ctx.window} n=${elements.length} window=${mine.value()} all=${all.value()}`,
      );
    },
    clear(ctx) {
      ctx.windowState().getState(seen).clear();
    },
  };
  const h = await harness(
    keyed().window(TumblingEventTimeWindows.of(10)).allowedLateness(100).process(counting),
  );
  h.element(ev("a", 1), 1).watermark(9).element(ev("a", 1), 2).element(ev("a", 1), 12);
  h.watermark(19);
  assert.deepEqual(h.records(), [
    "a [0, 10) n=1 window=1 all=1",
    "a [0, 10) n=2 window=2 all=2",
    "a [10, 20) n=1 window=1 all=3",
  ]);
  h.watermark(500);
  assert.equal(h.ctx.timerService!.size, 0);
});

Deno.test("event-time windows need timestamps: the error says so", async () => {
  const h = await harness(keyed().window(TumblingEventTimeWindows.of(10)).sum("v"));
  assert.throws(() => h.element(ev("a", 1)), /timestamp/i);
});

Deno.test("session windows with an aggregate function that cannot merge are refused when built", () => {
  const count = {
    createAccumulator: () => 0,
    add: (_e: Ev, acc: number) => acc + 1,
    getResult: (acc: number) => acc,
  };
  assert.throws(
    () => keyed().window(EventTimeSessionWindows.withGap(5)).aggregate(count),
    /needs a merge method/,
  );
});
