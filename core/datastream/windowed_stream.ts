/**
 * WindowedStream (after Flink's): a keyed stream cut into windows by an
 * assigner, with an optional trigger, evictor, allowed lateness and late-data
 * side output, evaluated by reduce, aggregate, process or apply. Reduce and
 * aggregate fold each window incrementally (one value per window in state);
 * given a ProcessWindowFunction too, that function gets the folded value
 * with the window's metadata when the window fires.
 * @module
 */

import { extremeBy, extremeOf, type FieldRef, sumOf } from "../operators/aggregations.ts";
import type { InternalWindowFunction, WindowOperatorSpec } from "../operators/window_operator.ts";
import { WindowOperator } from "../operators/window_operator.ts";
import { sliceShapeOf } from "../operators/aligned_window_operator.ts";
import { windowOperatorFor } from "../operators/window_operators.ts";
import {
  LocalWindowAggregateOperator,
  type Partial,
  partialFold,
} from "../operators/local_window_aggregate.ts";
import type { SliceFold } from "../operators/window_slices.ts";
import type { Transformation } from "../graph/transformation.ts";
import type { WindowFold } from "../operators/window_contents.ts";
import type { AggregateFunction } from "../api/state.ts";
import type { Evictor } from "../windows/evictors.ts";
import type { Window } from "../api/window.ts";
import type { Trigger } from "../windows/triggers.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import { DataStream } from "./data_stream.ts";
import type { Collector, KeySelector, OutputTag, ReduceFunction } from "../api/functions.ts";
import type { KeyedStream } from "./keyed_stream.ts";
import type { ProcessWindowFunction, WindowFunction } from "../api/window_functions.ts";

/**
 * A keyed stream with windows.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment, TumblingEventTimeWindows, WatermarkStrategy } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements({ user: "a", ts: 1_000, clicks: 1 }, { user: "a", ts: 2_500, clicks: 2 })
 *   .assignTimestampsAndWatermarks(
 *     WatermarkStrategy.forMonotonousTimestamps<{ user: string; ts: number; clicks: number }>()
 *       .withTimestampAssigner((e) => e.ts),
 *   )
 *   .keyBy((e) => e.user)
 *   .window(TumblingEventTimeWindows.of(5_000))
 *   .sum("clicks")
 *   .print();
 * ```
 */
export class WindowedStream<T, K, W extends Window> {
  private customTrigger: Trigger<T, W> | undefined;
  private customEvictor: Evictor<T, W> | undefined;
  private latenessMs = 0;
  private lateTag: OutputTag<T> | undefined;

  constructor(readonly input: KeyedStream<T, K>, readonly assigner: WindowAssigner<T, W>) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    this.customTrigger = trigger;
    return this;
  }

  /** Removes elements before or after the window function runs (the window then keeps all elements). */
  evictor(evictor: Evictor<T, W>): this {
    this.customEvictor = evictor;
    return this;
  }

  /**
   * Keeps event-time windows `ms` after their end: a late element still
   * enters its window and fires it again. Processing-time windows ignore it.
   */
  allowedLateness(ms: number): this {
    if (!(Number.isSafeInteger(ms) && ms >= 0)) {
      throw new RangeError(`allowedLateness must be a non-negative integer of ms, got ${ms}`);
    }
    this.latenessMs = ms;
    return this;
  }

  /** Sends elements too late for every window to the side output `tag` instead of dropping them. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.lateTag = tag;
    return this;
  }

  /** Folds each window with `fn`; emits the folded value, or what `process` makes of it. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, process: ProcessWindowFunction<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, process?: ProcessWindowFunction<T, R, K, W>): DataStream<R> {
    const fold: WindowFold = { kind: "reduce", fn: fn as ReduceFunction<unknown> };
    if (process === undefined) return this.build("Reduce", fold, emitInput);
    return this.build("Reduce", fold, processSingle(process, (v) => v as T));
  }

  /** Aggregates each window incrementally; emits the result, or what `process` makes of it. */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessWindowFunction<V, R, K, W>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessWindowFunction<V, R, K, W>,
  ): DataStream<R> {
    const fold: WindowFold = {
      kind: "aggregate",
      fn: fn as AggregateFunction<unknown, unknown, unknown>,
    };
    const result = (acc: unknown) => fn.getResult(acc as ACC);
    if (process === undefined) {
      return this.build("Aggregate", fold, {
        process: (_k, acc, _c, out) => out.collect(result(acc)),
      });
    }
    return this.build("Aggregate", fold, processSingle(process, result));
  }

  /** Evaluates each window with all its elements. */
  process<R>(fn: ProcessWindowFunction<T, R, K, W>): DataStream<R> {
    return this.build("Process", { kind: "list" }, {
      rich: fn,
      process: (key, elements, ctx, out) =>
        fn.process(key as K, ctx as never, elements as T[], out as Collector<R>),
      clear: fn.clear === undefined ? undefined : (ctx) => fn.clear!(ctx as never),
    });
  }

  /** Evaluates each window with all its elements (Flink's WindowFunction). */
  apply<R>(fn: WindowFunction<T, R, K, W>): DataStream<R> {
    return this.build("Apply", { kind: "list" }, {
      process: (key, elements, ctx, out) =>
        fn(key as K, ctx.window as W, elements as T[], out as Collector<R>),
    });
  }

  /** Sum of a numeric field per window (other fields from the first element). */
  sum(field: FieldRef): DataStream<T> {
    return this.reduce(sumOf<T>(field)).name("Window Sum");
  }
  /** Minimum of a field per window (other fields from the first element). */
  min(field: FieldRef): DataStream<T> {
    return this.reduce(extremeOf<T>(field, -1)).name("Window Min");
  }
  /** Maximum of a field per window (other fields from the first element). */
  max(field: FieldRef): DataStream<T> {
    return this.reduce(extremeOf<T>(field, 1)).name("Window Max");
  }
  /** The element with the smallest value of a field, per window. */
  minBy(field: FieldRef): DataStream<T> {
    return this.reduce(extremeBy<T>(field, -1)).name("Window MinBy");
  }
  /** The element with the largest value of a field, per window. */
  maxBy(field: FieldRef): DataStream<T> {
    return this.reduce(extremeBy<T>(field, 1)).name("Window MaxBy");
  }

  private build<R>(kind: string, fold: WindowFold, fn: InternalWindowFunction): DataStream<R> {
    const assigner = this.assigner as WindowAssigner<unknown, Window>;
    const trigger = (this.customTrigger ?? assigner.defaultTrigger()) as never;
    const evictor = this.customEvictor as never;
    const keySelector = this.input.keySelector as KeySelector<unknown, unknown>;
    const spec = {
      assigner,
      trigger,
      keySelector,
      fold,
      fn,
      evictor,
      allowedLatenessMs: this.latenessMs,
      lateDataTag: this.lateTag as OutputTag<unknown> | undefined,
    };
    const name = `${this.customEvictor ? "EvictingWindow" : "Window"}(${assigner}, ${
      String(trigger)
    }, ${kind})`;
    // Built here, in the client, so a session trigger that cannot merge fails at submission.
    new WindowOperator(spec);
    const env = this.input.env;
    const twoPhase = this.twoPhase(spec, name);
    if (twoPhase !== undefined) return new DataStream<R>(env, twoPhase);
    return new DataStream<R>(
      env,
      env.addOperator(this.input.transformation, name, () => windowOperatorFor(spec), keySelector),
    );
  }

  /**
   * The window as a local pre-aggregation before the keyBy and a merge of
   * partials after it, where the windows allow it (see
   * `local_window_aggregate.ts`); undefined when they do not.
   */
  private twoPhase(spec: WindowOperatorSpec, name: string): Transformation | undefined {
    const env = this.input.env;
    const preAggregation = env.getWindowPreAggregation();
    const keyed = this.input.transformation;
    const shape = sliceShapeOf(spec);
    if (preAggregation.maxEntries === 0 || shape === undefined) return undefined;
    if (keyed.kind !== "partition" || keyed.partitioner.kind !== "hash") return undefined;
    const fold = spec.fold;
    const mergeable = fold.kind === "aggregate"
      ? fold.fn.merge !== undefined
      : fold.kind === "reduce" && shape.sizeMs === shape.slideMs;
    if (!mergeable) return undefined;
    const sliceFold = fold as SliceFold;
    const keySelector = spec.keySelector;
    const local = env.addOperator(
      keyed.input,
      `Local${name}`,
      () => new LocalWindowAggregateOperator(shape, sliceFold, keySelector, preAggregation),
    );
    local.parallelism = chainedParallelism(keyed.input, env.getParallelism());
    const partialKey = (p: unknown) => (p as Partial)[0];
    const merged: WindowOperatorSpec = {
      ...spec,
      keySelector: partialKey,
      fold: {
        kind: "aggregate",
        fn: partialFold(sliceFold) as AggregateFunction<unknown, unknown, unknown>,
      },
      lateValueOf: (p) => (p as Partial)[3],
    };
    const partials = new DataStream<Partial>(env, local).keyBy(partialKey);
    return env.addOperator(
      partials.transformation,
      name,
      () => windowOperatorFor(merged),
      partialKey,
    );
  }
}

/** Emits the folded value as is. */
const emitInput: InternalWindowFunction = {
  process: (_key, input, _ctx, out) => out.collect(input),
};

/** Hands a folded value (as `value` makes it) to a ProcessWindowFunction as its one element. */
function processSingle<V, R, K, W extends Window>(
  fn: ProcessWindowFunction<V, R, K, W>,
  value: (input: unknown) => V,
): InternalWindowFunction {
  return {
    rich: fn,
    process: (key, input, ctx, out) =>
      fn.process(key as K, ctx as never, [value(input)], out as Collector<R>),
    clear: fn.clear === undefined ? undefined : (ctx) => fn.clear!(ctx as never),
  };
}

/**
 * The parallelism to give an operator right after `t` so that it chains to
 * it (undefined: the default, as `t` itself has). A virtual `t` (a partition,
 * union or side output) leaves the default: the edge decides there.
 */
function chainedParallelism(t: Transformation, defaultParallelism: number): number | undefined {
  if (t.parallelism !== undefined) return t.parallelism;
  if (t.kind === "source" && t.source.maxParallelism !== undefined) {
    return Math.min(defaultParallelism, t.source.maxParallelism);
  }
  return undefined;
}
