// One job per `--case`, each exporting what its collect sink received.
import {
  jobArgs,
  type KeyedProcessFunction,
  ParameterTool,
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
      return env.fromSequence(1, 100).process<number>({
        sum: 0,
        processElement(v: number) {
          this.sum += v;
        },
        endInput(out) {
          out.collect(this.sum);
        },
      } as never).setParallelism(1);
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
    case "slot-groups":
      return env.fromSequence(1, 100).map((x) => x + 1).slotSharingGroup("other");
    default:
      throw new Error(`unknown case ${name}`);
  }
}

// deno-lint-ignore no-explicit-any
const stream = build(params.getRequired("case")) as any;
export const results: unknown[] = await stream.executeAndCollect(params.get("case")).toArray();
