// Event-time scenarios, one per `--case`; each exports what its collect sink received.
// A keyed process function sums values per key in 10 ms buckets with event-time
// timers; what it emits carries the watermark the timer fired at, and a process
// function after an exchange appends each record's timestamp.
import {
  jobArgs,
  type KeyedProcessFunction,
  type MapState,
  MapStateDescriptor,
  OutputTag,
  ParameterTool,
  type SourceReader,
  type SourceSpec,
  StreamExecutionEnvironment,
  type WatermarkGenerator,
  WatermarkStrategy,
} from "spate";

/** An event; `wm` makes the punctuated generator emit that watermark after it. */
export interface Ev {
  k: string;
  ts: number;
  v: number;
  wm?: number;
}

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const late = new OutputTag<Ev>("late");

/** Out-of-order events, two of them late. */
export const SCRIPT: Ev[] = [
  { k: "a", ts: 1, v: 1 },
  { k: "b", ts: 3, v: 2 },
  { k: "a", ts: 12, v: 4 },
  { k: "a", ts: 5, v: 8 },
  { k: "b", ts: 15, v: 16, wm: 10 },
  { k: "a", ts: 8, v: 32 }, // late: 8 <= 10
  { k: "c", ts: 25, v: 64, wm: 20 },
  { k: "b", ts: 19, v: 128 }, // late: 19 <= 20
  { k: "a", ts: 21, v: 256 },
  { k: "c", ts: 22, v: 512, wm: 22 },
  { k: "b", ts: 38, v: 1024 },
];

const punctuated = (): WatermarkGenerator<Ev> => ({
  onEvent(e, _ts, out) {
    if (e.wm !== undefined) out.emitWatermark(e.wm);
  },
  onPeriodicEmit() {},
});

const strategy = WatermarkStrategy.forGenerator(punctuated)
  .withTimestampAssigner((e: Ev) => e.ts);

/** [key, bucket start, sum, watermark at firing]; late events to the side output. */
class BucketSums implements KeyedProcessFunction<string, Ev, [string, number, number, number]> {
  private sums!: MapState<number, number>;
  constructor(private readonly marker?: string) {}
  open(ctx: { getMapState<K, V>(d: MapStateDescriptor<K, V>): MapState<K, V> }) {
    this.sums = ctx.getMapState(new MapStateDescriptor<number, number>("sums"));
  }
  processElement(
    e: Ev,
    ctx: Parameters<KeyedProcessFunction<string, Ev, unknown>["processElement"]>[1],
  ) {
    const ts = ctx.timestamp()!;
    if (ts <= ctx.timerService().currentWatermark()) return ctx.output(late, e);
    const bucket = Math.floor(ts / 10) * 10;
    this.sums.put(bucket, (this.sums.get(bucket) ?? 0) + e.v);
    ctx.timerService().registerEventTimeTimer(bucket + 9);
  }
  onTimer(
    time: number,
    ctx: Parameters<NonNullable<KeyedProcessFunction<string, Ev, unknown>["onTimer"]>>[1],
    out: { collect(r: [string, number, number, number]): void },
  ) {
    const bucket = time - 9;
    const wm = ctx.timerService().currentWatermark();
    out.collect([ctx.getCurrentKey(), bucket, this.sums.get(bucket)!, wm]);
    this.sums.remove(bucket);
    if (this.marker !== undefined && wm !== Infinity) Deno.writeTextFileSync(this.marker, "fired");
  }
}

/** A parallel source: subtask i emits `scripts[i]`, then stays open until `marker` exists. */
function scriptedSource(scripts: Ev[][], marker?: string): SourceSpec<Ev> {
  return {
    bounded: true,
    maxParallelism: scripts.length,
    createReader(): SourceReader<Ev> {
      let script: Ev[] = [];
      let next = 0;
      const deadline = Date.now() + 30_000;
      return {
        open(ctx) {
          script = scripts[ctx.subtaskIndex] ?? [];
        },
        async pollNext(output) {
          while (next < script.length) output.collect(script[next++]);
          if (marker === undefined) return false;
          let exists = false;
          try {
            exists = Deno.statSync(marker).isFile;
          } catch { /* not yet */ }
          if (exists || Date.now() > deadline) return false;
          await new Promise((r) => setTimeout(r, 5));
          return true;
        },
        close() {},
      };
    },
  };
}

function buckets(events: ReturnType<typeof env.fromCollection<Ev>>, marker?: string) {
  const sums = events.keyBy((e) => e.k).process(new BucketSums(marker));
  const main = sums.rebalance().process<unknown[]>({
    processElement(r, ctx, out) {
      out.collect(["fired", ...r, ctx.timestamp()]);
    },
  });
  const lateOnes = sums.getSideOutput(late).map((e): unknown[] => ["late", e.k, e.ts]);
  return main.union(lateOnes);
}

function build(name: string) {
  switch (name) {
    case "punctuated":
      // One source subtask: each downstream channel sees records and watermarks in script order.
      return buckets(
        env.fromCollection(SCRIPT).assignTimestampsAndWatermarks(strategy).setParallelism(1),
      );
    case "two-inputs": {
      // Two sources, each with its own watermarks, unioned: the keyed operator uses the lower.
      const odd = SCRIPT.filter((_, i) => i % 2 === 1 && !isLate(i));
      const even = SCRIPT.filter((_, i) => i % 2 === 0 && !isLate(i));
      const a = env.fromCollection(even).assignTimestampsAndWatermarks(strategy).setParallelism(1);
      const b = env.fromCollection(odd).assignTimestampsAndWatermarks(strategy).setParallelism(1);
      return buckets(a.union(b));
    }
    case "idle": {
      // Subtask 1 of the source never emits: only idleness lets the watermark advance
      // before the end of input (the bucket timers record the watermark they fired at).
      env.setAutoWatermarkInterval(10);
      const marker = params.getRequired("marker");
      const script = SCRIPT.filter((_, i) => i <= 6 && !isLate(i));
      const events = env.fromSource(scriptedSource([script, []], marker), "Scripted")
        .setParallelism(2)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forGenerator(punctuated).withTimestampAssigner((e: Ev) => e.ts)
            .withIdleness(50),
        ).setParallelism(2);
      return buckets(events, marker);
    }
    default:
      throw new Error(`unknown case ${name}`);
  }
}

/** Events 5 and 7 of the script are late in script order. */
function isLate(i: number): boolean {
  return i === 5 || i === 7;
}

// deno-lint-ignore no-explicit-any
const stream = build(params.getRequired("case")) as any;
export const results: unknown[] = await stream.executeAndCollect(params.get("case")).toArray();
