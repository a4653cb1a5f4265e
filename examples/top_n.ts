/**
 * Top N pages: counts the views of each page per event-time window (tumbling,
 * or sliding with `--slide-ms`), then ranks the pages of each window and
 * reports the N most viewed (Flink's "hot items" pattern). Stage one keys the
 * clicks by page and counts them per window; stage two keys the counts by
 * window end and, once the watermark reaches that end (every count of the
 * window has arrived by then), ranks them from keyed state.
 *
 *   spate run examples/top_n.ts --local -p 2 -- --n 3 --window-ms 300000
 *
 * Flags (after `--`): `--n N` (pages per window, default 3), `--window-ms MS`
 * (300000), `--slide-ms MS` (sliding windows; default: tumbling),
 * `--events N` (clicks, default 2000), `--users N` (50),
 * `--out-of-orderness-ms MS` (5000), `--seed N` (42), `--periodic` (periodic
 * watermarks), `--output PATH` (write `top,windowStartMs,windowEndMs,rank,page,views`
 * lines and each late click as `late,user,page,ts`). The clicks come from
 * `clickstream.ts`, in one source subtask (one ordered log).
 * @module
 */

import {
  jobArgs,
  MapStateDescriptor,
  OutputTag,
  ParameterTool,
  SlidingEventTimeWindows,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
} from "spate";
import type {
  AggregateFunction,
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  MapState,
  OnTimerContext,
  ProcessWindowFunction,
  RuntimeContext,
  TimeWindow,
} from "spate";
import { type Click, clickSource, clock } from "./clickstream.ts";

/** The views of one page in the window that ends at `windowEndMs`. */
interface PageViews {
  windowEndMs: number;
  page: string;
  views: number;
}

/** The most viewed pages of one window, most viewed first. */
interface Ranking {
  windowEndMs: number;
  top: [page: string, views: number][];
}

const countViews: AggregateFunction<Click, number, number> = {
  createAccumulator: () => 0,
  add: (_click, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

const withWindowEnd: ProcessWindowFunction<number, PageViews, string, TimeWindow> = {
  process(page, ctx, [views], out) {
    out.collect({ windowEndMs: ctx.window.end, page, views });
  },
};

/**
 * Keyed by window end: keeps the window's counts, and ranks them when the
 * watermark reaches the window's last millisecond (the window operators
 * emit a window's counts before they pass that watermark on).
 */
class TopPages implements KeyedProcessFunction<number, PageViews, Ranking> {
  private views!: MapState<string, number>;
  constructor(private readonly n: number) {}

  open(ctx: RuntimeContext) {
    this.views = ctx.getMapState(new MapStateDescriptor<string, number>("views"));
  }

  processElement(v: PageViews, ctx: KeyedProcessContext<number>) {
    this.views.put(v.page, v.views);
    ctx.timerService().registerEventTimeTimer(v.windowEndMs - 1);
  }

  onTimer(_time: number, ctx: OnTimerContext<number>, out: Collector<Ranking>) {
    const top = this.views.entries()
      .sort(([p1, v1], [p2, v2]) => v2 - v1 || (p1 < p2 ? -1 : 1))
      .slice(0, this.n);
    out.collect({ windowEndMs: ctx.getCurrentKey(), top });
    this.views.clear();
  }
}

const params = ParameterTool.fromArgs(jobArgs());
const n = params.getNumber("n", 3);
const windowMs = params.getNumber("window-ms", 300_000);
const slideMs = params.has("slide-ms") ? params.getNumber("slide-ms", 0) : undefined;
const output = params.get("output");

// Streaming: the watermark decides when a window is complete and which clicks are late.
const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
const { clicks, events } = clickSource(env, params, { events: 2000, users: 50 });

const lateTag = new OutputTag<Click>("late-clicks");
const views = clicks.keyBy((click) => click.page)
  .window(
    slideMs === undefined
      ? TumblingEventTimeWindows.of(windowMs)
      : SlidingEventTimeWindows.of(windowMs, slideMs),
  )
  .sideOutputLateData(lateTag)
  .aggregate(countViews, withWindowEnd)
  .name("Page views");
const rankings = views.keyBy((v) => v.windowEndMs).process(new TopPages(n)).name("Top N");

type Result = { ranking: Ranking } | { late: Click };
const results = await rankings.map((ranking): Result => ({ ranking }))
  .union(views.getSideOutput(lateTag).map((late): Result => ({ late })))
  .executeAndCollect("top-n").toArray();

const ranked = results.flatMap((r) => "ranking" in r ? [r.ranking] : [])
  .sort((a, b) => a.windowEndMs - b.windowEndMs);
const late = results.flatMap((r) => "late" in r ? [r.late] : [])
  .sort((a, b) => a.ts - b.ts || (a.user < b.user ? -1 : 1));

const kind = slideMs === undefined ? "" : `, sliding by ${slideMs} ms`;
console.log(`Top ${n} pages per ${windowMs} ms window${kind} (${events} clicks):`);
for (const { windowEndMs, top } of ranked) {
  const pages = top.map(([page, v], i) => `${i + 1}. ${page} (${v})`).join("  ");
  console.log(`  ${clock(windowEndMs - windowMs)}-${clock(windowEndMs)}  ${pages}`);
}
console.log(`Late clicks (side output, not counted): ${late.length}`);

if (output !== undefined) {
  const lines = [
    ...ranked.flatMap(({ windowEndMs, top }) =>
      top.map(([page, v], i) =>
        `top,${windowEndMs - windowMs},${windowEndMs},${i + 1},${page},${v}`
      )
    ),
    ...late.map((c) => `late,${c.user},${c.page},${c.ts}`),
  ];
  await Deno.writeTextFile(output, lines.join("\n") + "\n");
}
