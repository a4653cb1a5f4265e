// One job per `--case`, each exporting what its collect sink received.
import {
  jobArgs,
  type KeyedProcessFunction,
  ParameterTool,
  type ProcessFunction,
  type SourceReader,
  stateTtlConfig,
  StreamExecutionEnvironment,
  type ValueState,
  ValueStateDescriptor,
} from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const kv = (): [string, number][] => [["a", 3], ["b", 1], ["a", 5], ["b", 7], ["a", 1]];

function withSubtask<T>(stream: ReturnType<typeof env.fromSequence>, p: number) {
  return stream.process<[number, number]>({
    processElement(v, ctx, out) {
      out.collect([ctx.subtaskIndex, v]);
    },
  }).setParallelism(p) as unknown as T;
}

class CountPerKey implements KeyedProcessFunction<string, [string, number], [string, number]> {
  private count!: ValueState<number>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.count = ctx.getState(new ValueStateDescriptor("count", 0));
  }
  processElement(v: [string, number], _ctx: unknown, out: { collect(r: [string, number]): void }) {
    const n = this.count.value()! + 1;
    this.count.update(n);
    out.collect([v[0], n]);
  }
}

/** Sums its input and emits the sum when the input ends. */
class SumAtEnd implements ProcessFunction<number, number> {
  private sum = 0;
  processElement(v: number) {
    this.sum += v;
  }
  endInput(out: { collect(r: number): void }) {
    out.collect(this.sum);
  }
}

/** State time-to-live of the "state-ttl" case. */
const TTL_MS = 1000;

/**
 * Emits `first`, then, once a checkpoint completed after them (so the keyed
 * function downstream has written their state), waits until TTL_MS + 200 ms
 * have passed on the clock and emits `second`: a wait on a condition, so the
 * state written for `first` has expired when `second` is processed.
 */
class TwoPhaseReader implements SourceReader<[string, number]> {
  private phase = 0;
  /** The id of the first checkpoint taken after `first`. */
  private afterFirst = Infinity;
  /** When `second` may go: set once that checkpoint completed. */
  private expiredAt = Infinity;
  constructor(
    private readonly first: [string, number][],
    private readonly second: [string, number][],
  ) {}
  open() {}
  async pollNext(out: { collect(r: [string, number]): void }) {
    if (this.phase === 0) {
      for (const r of this.first) out.collect(r);
      this.phase = 1;
      return true;
    }
    if (Date.now() >= this.expiredAt) {
      for (const r of this.second) out.collect(r);
      return false;
    }
    await new Promise((r) => setTimeout(r, 20)); // between polls, checkpoints run
    return true;
  }
  snapshotState(checkpointId: number) {
    // The first checkpoint taken after `first`: its barrier follows their records.
    if (this.phase === 1) this.afterFirst = Math.min(this.afterFirst, checkpointId);
    return this.phase;
  }
  notifyCheckpointComplete(checkpointId: number) {
    if (checkpointId >= this.afterFirst && this.expiredAt === Infinity) {
      this.expiredAt = Date.now() + TTL_MS + 200;
    }
  }
  close() {}
}

/** A per-key count whose state expires TTL_MS after its last write. */
class ExpiringCount implements KeyedProcessFunction<string, [string, number], [string, number]> {
  private count!: ValueState<number>;
  open(ctx: { getState: <T>(d: ValueStateDescriptor<T>) => ValueState<T> }) {
    this.count = ctx.getState(new ValueStateDescriptor("count", 0, stateTtlConfig(TTL_MS)));
  }
  processElement(v: [string, number], _ctx: unknown, out: { collect(r: [string, number]): void }) {
    const n = this.count.value()! + 1;
    this.count.update(n);
    out.collect([v[0], n]);
  }
}

function build(name: string) {
  switch (name) {
    case "map-filter-flatmap":
      return env.fromSequence(1, 1000).map((x) => x * 2).filter((x) => x % 3 === 0)
        .flatMap((x: number, out) => {
          out.collect(x);
          out.collect(-x);
        });
    case "union":
      return env.fromElements(1, 2, 3).union(env.fromSequence(10, 12), env.fromElements(100));
    case "reduce":
      return env.fromCollection(kv()).keyBy(([k]) => k).reduce((a, b) => [a[0], a[1] + b[1]]);
    case "min":
      return env.fromCollection(kv()).keyBy(([k]) => k).min(1);
    case "maxBy":
      return env.fromCollection(kv().map(([k, v], i) => ({ k, v, i }))).keyBy((r) => r.k).maxBy(
        "v",
      );
    case "keyed-process":
      return env.fromCollection(kv()).keyBy(([k]) => k).process(new CountPerKey());
    case "process-end-input":
      return env.fromSequence(1, 100).process(new SumAtEnd()).setParallelism(1);
    case "broadcast":
      return withSubtask(env.fromSequence(1, 5).broadcast(), 3);
    case "global":
      return withSubtask(env.fromSequence(1, 50).global(), 3);
    case "custom":
      return withSubtask(
        env.fromSequence(1, 30).partitionCustom((k: number, n) => k % n, (x) => x),
        3,
      );
    case "rebalance":
      return withSubtask(env.fromSequence(1, 3000).rebalance(), 3);
    case "rescale":
      return withSubtask(env.fromSequence(1, 3000).rescale(), 4);
    case "shuffle":
      return withSubtask(env.fromSequence(1, 3000).shuffle(), 3);
    case "generator":
      return env.fromGenerator(1000, (i) => ({ id: i, name: `n${i}` })).filter((r) =>
        r.id % 100 === 0
      );
    case "state-ttl":
      env.enableCheckpointing(50);
      return env.fromSource({
        bounded: true,
        createReader: () =>
          new TwoPhaseReader([["a", 1], ["b", 1], ["b", 2]], [["a", 2], ["c", 1]]),
      }, "Two phases").setParallelism(1).keyBy(([k]) => k).process(new ExpiringCount());
    case "slot-groups":
      return env.fromSequence(1, 100).map((x) => x + 1).slotSharingGroup("other");
    default:
      throw new Error(`unknown case ${name}`);
  }
}

// deno-lint-ignore no-explicit-any
const stream = build(params.getRequired("case")) as any;
export const results: unknown[] = await stream.executeAndCollect(params.get("case")).toArray();
