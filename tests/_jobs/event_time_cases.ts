// Event-time scenarios, one per `--case`; each exports what its collect sink received.
// A keyed process function sums values per key in 10 ms buckets with event-time
// timers; what it emits carries the watermark the timer fired at, and a process
// function after an exchange appends each record's timestamp. The two-input cases
// (keyed connect, broadcast rules, interval join) are built so that their output does
// not depend on how the two inputs interleave: see each case.
import {
  type DataStream,
  jobArgs,
  type KeyedBroadcastProcessFunction,
  type KeyedCoProcessFunction,
  type KeyedProcessFunction,
  type MapState,
  MapStateDescriptor,
  OutputTag,
  ParameterTool,
  type SourceReader,
  type SourceSpec,
  StreamExecutionEnvironment,
  TumblingEventTimeWindows,
  WatermarkStrategy,
} from "spate";
import { type Ev, punctuated, SCRIPT, scriptedStrategy } from "./_scripted_events.ts";

export type { Ev } from "./_scripted_events.ts";
export { SCRIPT } from "./_scripted_events.ts";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const late = new OutputTag<Ev>("late");

const strategy = scriptedStrategy;

/** The script without its two late events: no record is behind either input's watermark. */
export const IN_ORDER: Ev[] = SCRIPT.filter((_, i) => !isLate(i));

/** Per-key caps (`v`) for the keyed connect: a cap applies from its `ts` on. */
export const CAPS: Ev[] = [
  { k: "a", ts: 0, v: 5 },
  { k: "b", ts: 4, v: 100 },
  { k: "a", ts: 11, v: 300, wm: 11 },
  { k: "c", ts: 30, v: 1, wm: 30 },
];

/** Broadcast rules: the least value kept (`v`), from `ts` on. */
export const RULES: Ev[] = [
  { k: "min", ts: 0, v: 2 },
  { k: "min", ts: 14, v: 100, wm: 13 },
  { k: "min", ts: 20, v: 0, wm: 20 },
];

/**
 * The right side of the interval join. No timestamp of one side equals a
 * watermark of the other, so no record arrives exactly at the watermark
 * (where the arrival order would decide whether its partner is still there).
 */
export const RIGHT: Ev[] = [
  { k: "a", ts: 2, v: 1 },
  { k: "b", ts: 6, v: 2 },
  { k: "b", ts: 7, v: 3 },
  { k: "a", ts: 14, v: 4, wm: 9 },
  { k: "c", ts: 24, v: 5 },
  { k: "b", ts: 17, v: 6, wm: 16 },
  { k: "a", ts: 23, v: 7, wm: 23 },
  { k: "c", ts: 36, v: 8 },
];

/** Interval join bounds: right.ts - left.ts in [-3, 4). */
export const JOIN_LOWER_MS = -3;
export const JOIN_UPPER_MS = 4;

const timed = (events: Ev[]) =>
  env.fromCollection(events).assignTimestampsAndWatermarks(strategy).setParallelism(1);

/** The value at the latest time <= `t` of `entries` ([time, value]), or null. */
function latestAt(entries: [number, number][], t: number): number | null {
  let best: [number, number] | undefined;
  for (const e of entries) if (e[0] <= t && (best === undefined || e[0] > best[0])) best = e;
  return best === undefined ? null : best[1];
}

/**
 * [key, bucket, sum, cap]: per key and 10 ms bucket, the sum of input 1 and
 * the cap of input 2 in force at the bucket's end (null: none). A bucket
 * fires when both inputs' watermarks passed its end, so every cap up to it
 * has arrived: the result does not depend on the arrival order.
 */
function cappedBuckets(): KeyedCoProcessFunction<string, Ev, Ev, unknown[]> {
  let sums: MapState<number, number>;
  let caps: MapState<number, number>;
  return {
    open(ctx) {
      sums = ctx.getMapState(new MapStateDescriptor<number, number>("sums"));
      caps = ctx.getMapState(new MapStateDescriptor<number, number>("caps"));
    },
    processElement1(e, ctx) {
      const bucket = Math.floor(ctx.timestamp()! / 10) * 10;
      sums.put(bucket, (sums.get(bucket) ?? 0) + e.v);
      ctx.timerService().registerEventTimeTimer(bucket + 9);
    },
    processElement2(cap, ctx) {
      caps.put(ctx.timestamp()!, cap.v);
    },
    onTimer(time, ctx, out) {
      const bucket = time - 9;
      out.collect([ctx.getCurrentKey(), bucket, sums.get(bucket)!, latestAt(caps.entries(), time)]);
      sums.remove(bucket);
    },
  };
}

/**
 * ["kept" | "dropped", key, ts, v, min]: each event waits in keyed state for
 * the watermark to reach it, then meets the broadcast rule in force at its
 * time (so every rule up to it has arrived, whatever the interleaving).
 */
function minimumAtTime(
  rules: MapStateDescriptor<number, number>,
): KeyedBroadcastProcessFunction<string, Ev, Ev, unknown[]> {
  let waiting: MapState<number, number[]>;
  return {
    open(ctx) {
      waiting = ctx.getMapState(new MapStateDescriptor<number, number[]>("waiting"));
    },
    processElement(e, ctx) {
      const ts = ctx.timestamp()!;
      waiting.put(ts, [...waiting.get(ts) ?? [], e.v]);
      ctx.timerService().registerEventTimeTimer(ts);
    },
    processBroadcastElement(rule, ctx) {
      ctx.getBroadcastState(rules).put(ctx.timestamp()!, rule.v);
    },
    onTimer(ts, ctx, out) {
      const min = latestAt(ctx.getBroadcastState(rules).entries(), ts)!;
      for (const v of waiting.get(ts)!) {
        out.collect([v >= min ? "kept" : "dropped", ctx.getCurrentKey(), ts, v, min]);
      }
      waiting.remove(ts);
    },
  };
}

/** Appends each record's timestamp after an exchange: [...record, timestamp]. */
function withTimestamps(stream: DataStream<unknown[]>) {
  return stream.rebalance().process<unknown[]>({
    processElement(r, ctx, out) {
      out.collect([...r, ctx.timestamp()]);
    },
  });
}

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
    // One marker file per bucket fired on a real watermark: the sources end once all are there.
    if (this.marker !== undefined && wm !== Infinity) {
      Deno.writeTextFileSync(`${this.marker}.${ctx.getCurrentKey()}.${bucket}`, "fired");
    }
  }
}

/**
 * A parallel source: subtask i emits `scripts[i]`, then stays open until
 * the marker file of each of `awaited` (`<marker>.<key>.<bucket>`) exists.
 */
function scriptedSource(scripts: Ev[][], marker?: string, awaited: string[] = []): SourceSpec<Ev> {
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
          const exists = (name: string) => {
            try {
              return Deno.statSync(`${marker}.${name}`).isFile;
            } catch {
              return false; // not yet
            }
          };
          if (awaited.every(exists) || Date.now() > deadline) return false;
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
      // Every bucket up to 10 fires before the sources end (each key's subtask fires its own,
      // and one that got the idle status after the end of input would fire at Infinity).
      const awaited = ["a.0", "a.10", "b.0", "b.10"];
      const events = env.fromSource(scriptedSource([script, []], marker, awaited), "Scripted")
        .setParallelism(2)
        .assignTimestampsAndWatermarks(
          WatermarkStrategy.forGenerator(punctuated).withTimestampAssigner((e: Ev) => e.ts)
            .withIdleness(50),
        ).setParallelism(2);
      return buckets(events, marker);
    }
    case "keyed-connect":
      return withTimestamps(
        timed(IN_ORDER).connect(timed(CAPS)).keyBy((e) => e.k, (c) => c.k)
          .process(cappedBuckets()),
      );
    case "broadcast-rules": {
      const rules = new MapStateDescriptor<number, number>("min-from");
      return withTimestamps(
        timed(IN_ORDER).keyBy((e) => e.k).connect(timed(RULES).broadcast(rules))
          .process(minimumAtTime(rules)),
      );
    }
    case "interval-join":
      return withTimestamps(
        timed(IN_ORDER).keyBy((e) => e.k).intervalJoin(timed(RIGHT).keyBy((e) => e.k))
          .between(JOIN_LOWER_MS, JOIN_UPPER_MS).upperBoundExclusive()
          .process<unknown[]>({
            processElement(l, r, ctx, out) {
              if (ctx.leftTimestamp() !== l.ts || ctx.rightTimestamp() !== r.ts) {
                throw new Error(`join context: ${ctx.leftTimestamp()}/${ctx.rightTimestamp()}`);
              }
              out.collect([l.k, l.ts, r.ts, ctx.timestamp()]);
            },
          }),
      );
    case "interval-join-untimed":
      // No timestamps: the join fails, naming itself.
      return env.fromCollection(IN_ORDER).keyBy((e) => e.k)
        .intervalJoin(env.fromCollection(RIGHT).keyBy((e) => e.k))
        .between(-1, 1)
        .process<unknown[]>({ processElement() {} });
    case "strategy-without-assigner":
      // A strategy but no timestamp assigner, over a source whose records carry none.
      return env.fromCollection(IN_ORDER)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forMonotonousTimestamps<Ev>());
    case "window-untimed":
      // An event-time window and no timestamps at all.
      return env.fromCollection(IN_ORDER).keyBy((e) => e.k)
        .window(TumblingEventTimeWindows.of(10)).reduce((a, b) => ({ ...a, v: a.v + b.v }));
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
