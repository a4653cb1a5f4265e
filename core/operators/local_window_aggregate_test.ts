import assert from "node:assert/strict";
import type { DataStream } from "../datastream/data_stream.ts";
import { setJobContext } from "../datastream/execution_context.ts";
import { StreamExecutionEnvironment } from "../datastream/stream_execution_environment.ts";
import type { OperatorTransformation, PartitionTransformation } from "../graph/transformation.ts";
import type { ProcessWindowFunction } from "../api/window_functions.ts";
import { SlidingEventTimeWindows } from "../windows/sliding_windows.ts";
import type { TimeWindow } from "../windows/time_window.ts";
import type { Window } from "../api/window.ts";
import { TumblingEventTimeWindows } from "../windows/tumbling_windows.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import { type HarnessSnapshot, OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import {
  byValue,
  type Ev,
  late,
  random,
  type Row,
  sum,
} from "../../tests/_helpers/window_scripts.ts";
import { LocalWindowAggregateOperator, type PreAggregation } from "./local_window_aggregate.ts";
import type { StreamOperator } from "./stream_operator.ts";

type Fold = "reduce" | "aggregate";

/** The keyed sum of `v` per window as rows, built through the API with `preAggregation` entries. */
function windowed(
  assigner: WindowAssigner<Ev, Window>,
  fold: Fold,
  preAggregation: number,
  options: Partial<PreAggregation> = {},
) {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  const env = StreamExecutionEnvironment.getExecutionEnvironment()
    .setWindowPreAggregation(preAggregation, options);
  const w = env.fromElements<Ev>({ k: 0, v: 0 }).keyBy((e) => e.k).window(assigner)
    .sideOutputLateData(late);
  const row = <V>(v: (x: V) => number): ProcessWindowFunction<V, Row, number, Window> => ({
    process(key, ctx, [x], out) {
      const tw = ctx.window as TimeWindow;
      out.collect([key, tw.start, tw.end, v(x)]);
    },
  });
  return fold === "reduce"
    ? w.reduce((a, b) => ({ k: a.k, v: a.v + b.v }), row<Ev>((x) => x.v))
    : w.aggregate(sum(true), row<number>((x) => x));
}

/** The operators a window stream runs: [local, keyed] in two phases, [keyed] in one. */
function operators(stream: DataStream<Row>): StreamOperator<unknown, unknown>[] {
  const keyed = stream.transformation as OperatorTransformation;
  const partition = keyed.input as PartitionTransformation;
  const make = (t: OperatorTransformation) => t.factory() as StreamOperator<unknown, unknown>;
  if (partition.input.kind !== "operator") return [make(keyed)];
  return [make(partition.input as OperatorTransformation), make(keyed)];
}

type Step =
  | { source: number; ev: Ev; ts: number }
  | { source: number; watermark: number };

/** Two sources, each with its own watermark (up to `disorder` ms behind its time). */
function twoSources(seed: number, n: number, disorder: number): Step[] {
  const r = random(seed);
  const steps: Step[] = [];
  const time = [0, 0], watermark = [-Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    const source = r() < 0.5 ? 0 : 1;
    time[source] += Math.floor(r() * 3);
    const ts = time[source] - Math.floor(r() * disorder);
    steps.push({ source, ev: { k: Math.floor(r() * 5), v: 1 + Math.floor(r() * 9) }, ts });
    if (r() < 0.08) {
      watermark[source] = Math.max(watermark[source], time[source] - Math.floor(r() * disorder));
      steps.push({ source, watermark: watermark[source] });
    }
  }
  for (const source of [0, 1]) steps.push({ source, watermark: Number.MAX_SAFE_INTEGER });
  return steps;
}

/** The keyed operator's side of two inputs: each input's watermark, combined by the minimum. */
class Valve {
  readonly marks = [-Infinity, -Infinity];
  combined = -Infinity;
  constructor(private readonly keyed: OperatorHarness<unknown, unknown>) {}
  watermark(input: number, w: number): void {
    this.marks[input] = w;
    const min = Math.min(...this.marks);
    if (min > this.combined) this.keyed.watermark(this.combined = min);
  }
}

/** One phase: both sources straight into the keyed operator. */
async function onePhase(assigner: () => WindowAssigner<Ev, Window>, fold: Fold, steps: Step[]) {
  const [op] = operators(windowed(assigner(), fold, 0));
  const keyed = await new OperatorHarness(op, { keyed: true }).open();
  const valve = new Valve(keyed);
  for (const s of steps) {
    "ev" in s ? keyed.element(s.ev, s.ts) : valve.watermark(s.source, s.watermark);
  }
  return keyed;
}

/** Two phases: a local operator per source, their output into the keyed operator. */
class TwoPhases {
  locals: OperatorHarness<unknown, unknown>[] = [];
  keyed!: OperatorHarness<unknown, unknown>;
  valve!: Valve;
  private readonly seen = [0, 0];
  rows: Row[] = [];
  side: unknown[] = [];

  constructor(
    private readonly make: () => StreamOperator<unknown, unknown>[],
  ) {}

  async open(restore?: { locals: HarnessSnapshot[]; keyed: HarnessSnapshot; marks: number[] }) {
    this.locals = [];
    for (const i of [0, 1]) {
      const [local, keyed] = this.make();
      assert.ok(local instanceof LocalWindowAggregateOperator);
      this.locals.push(await new OperatorHarness(local).open(restore?.locals[i]));
      if (i === 0) {
        this.keyed = await new OperatorHarness(keyed, { keyed: true }).open(restore?.keyed);
      }
    }
    this.seen.fill(0);
    this.valve = new Valve(this.keyed);
    // Restored, each source starts again from its last watermark.
    if (restore) { for (const i of [0, 1]) this.step({ source: i, watermark: restore.marks[i] }); }
  }

  step(s: Step): void {
    const local = this.locals[s.source];
    if ("ev" in s) local.element(s.ev, s.ts);
    else local.watermark(s.watermark);
    // What the local operator emitted, in order, into the keyed one.
    for (const e of local.emitted.slice(this.seen[s.source])) {
      if (e.kind === "record") this.keyed.element(e.value, e.timestamp);
      else if (e.kind === "watermark") this.valve.watermark(s.source, e.watermark);
    }
    this.seen[s.source] = local.emitted.length;
  }

  async snapshot() {
    const locals = [await this.locals[0].snapshot(), await this.locals[1].snapshot()];
    const result = { locals, keyed: await this.keyed.snapshot(), marks: [...this.valve.marks] };
    this.rows.push(...this.keyed.records() as Row[]);
    this.side.push(...this.keyed.side("late"));
    return result;
  }

  /** Whether the local operators stopped folding. */
  passedThrough(): boolean {
    return this.locals.every((l) => (l.op as LocalWindowAggregateOperator).passThrough);
  }

  finish(): void {
    this.rows.push(...this.keyed.records() as Row[]);
    this.side.push(...this.keyed.side("late"));
  }
}

const cases: [string, () => WindowAssigner<Ev, Window>, Fold][] = [
  ["tumbling, reduce", () => TumblingEventTimeWindows.of(10), "reduce"],
  ["tumbling, aggregate", () => TumblingEventTimeWindows.of(10, 2), "aggregate"],
  ["sliding, aggregate", () => SlidingEventTimeWindows.of(20, 5), "aggregate"],
];

for (const [name, assigner, fold] of cases) {
  Deno.test(`two-phase windows (${name}) give the one-phase results and late elements, at two sources with their own watermarks`, async () => {
    // The last run samples 50 elements over 5 keys with a low bar: its locals pass elements on.
    const runs = [[1, 2, 65536, 100_000, 0.5], [2, 12, 65536, 100_000, 0.5], [3, 30, 3, 50, 0.05]];
    for (const [seed, disorder, maxEntries, sampleElements, maxDistinctRatio] of runs) {
      const steps = twoSources(seed, 800, disorder);
      const one = await onePhase(assigner, fold, steps);
      const two = new TwoPhases(() =>
        operators(windowed(assigner(), fold, maxEntries, { sampleElements, maxDistinctRatio }))
      );
      await two.open();
      for (const s of steps) two.step(s);
      two.finish();
      assert.equal(two.passedThrough(), sampleElements === 50);
      assert.ok(one.records().length > 50);
      assert.deepEqual(byValue(two.rows), byValue(one.records()));
      assert.deepEqual(byValue(two.side), byValue(one.side("late")));
      if (disorder === 30) assert.ok(one.side("late").length > 0, "the script has late elements");
    }
  });
}

Deno.test("two-phase windows: the local operators' pending partials are checkpointed; restored, the results are the uninterrupted ones", async () => {
  for (const [, assigner, fold] of cases) {
    const steps = twoSources(5, 600, 4);
    const one = await onePhase(assigner, fold, steps);
    for (const at of [150, 401]) {
      const two = new TwoPhases(() => operators(windowed(assigner(), fold, 65536)));
      await two.open();
      for (const s of steps.slice(0, at)) two.step(s);
      const snapshot = await two.snapshot();
      assert.ok(
        snapshot.locals.some((l) => l.state.operator!.states.length > 0),
        "partials pending",
      );
      await two.open(snapshot);
      for (const s of steps.slice(at)) two.step(s);
      two.finish();
      assert.deepEqual(byValue(two.rows), byValue(one.records()));
    }
  }
});

Deno.test("two phases only where partials merge: sliding windows reduce, and aggregates without merge, stay one phase", () => {
  const phases = (s: DataStream<Row>) => operators(s).length;
  assert.equal(phases(windowed(TumblingEventTimeWindows.of(10), "reduce", 100)), 2);
  assert.equal(phases(windowed(SlidingEventTimeWindows.of(20, 5), "reduce", 100)), 1);
  assert.equal(phases(windowed(TumblingEventTimeWindows.of(10), "aggregate", 0)), 1);
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const noMerge = env.fromElements<Ev>({ k: 0, v: 0 }).keyBy((e) => e.k)
    .window(TumblingEventTimeWindows.of(10))
    .aggregate<{ s: number }, number, Row>(sum(false), {
      process: (k, _c, [x], out) => out.collect([k, 0, 0, x]),
    });
  assert.equal(phases(noMerge), 1);
  assert.throws(() => env.setWindowPreAggregation(-1), /pre-aggregation entries/);
  assert.throws(() => env.setWindowPreAggregation(10, { maxDistinctRatio: 2 }), /maxDistinctRatio/);
});
