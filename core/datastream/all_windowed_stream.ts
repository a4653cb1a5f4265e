/**
 * AllWindowedStream (after Flink's): windows over a whole, non-keyed stream.
 * As in Flink, every record goes to one subtask (parallelism 1): the stream
 * is keyed by a constant, so the window operator and its state are the
 * keyed ones.
 * @module
 */

import type { OutputTag, ReduceFunction } from "../api/functions.ts";
import type { AggregateFunction } from "../api/state.ts";
import type { Window } from "../api/window.ts";
import type { AllWindowFunction, ProcessAllWindowFunction } from "../api/window_functions.ts";
import type { FieldRef } from "../operators/aggregations.ts";
import type { Evictor } from "../windows/evictors.ts";
import type { Trigger } from "../windows/triggers.ts";
import type { DataStream } from "./data_stream.ts";
import type { WindowedStream } from "./windowed_stream.ts";

/** The one key of a non-keyed window. */
export const ALL_WINDOW_KEY = 0;

/**
 * A non-keyed stream with windows.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment, TumblingProcessingTimeWindows } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromSequence(1, 100).windowAll(TumblingProcessingTimeWindows.of(1_000))
 *   .reduce((a, b) => a + b)
 *   .print();
 * ```
 */
export class AllWindowedStream<T, W extends Window> {
  constructor(private readonly windowed: WindowedStream<T, number, W>) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<T, W>): this {
    this.windowed.trigger(trigger);
    return this;
  }
  /** Removes elements before or after the window function runs. */
  evictor(evictor: Evictor<T, W>): this {
    this.windowed.evictor(evictor);
    return this;
  }
  /** Keeps event-time windows `ms` after their end for late elements. */
  allowedLateness(ms: number): this {
    this.windowed.allowedLateness(ms);
    return this;
  }
  /** Sends elements too late for every window to the side output `tag`. */
  sideOutputLateData(tag: OutputTag<T>): this {
    this.windowed.sideOutputLateData(tag);
    return this;
  }

  /** Folds each window with `fn`; emits the folded value, or what `process` makes of it. */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  reduce<R>(fn: ReduceFunction<T>, process: ProcessAllWindowFunction<T, R, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, process?: ProcessAllWindowFunction<T, R, W>): DataStream<R> {
    if (process === undefined) return single(this.windowed.reduce(fn)) as unknown as DataStream<R>;
    return single(this.windowed.reduce(fn, keyless(process)));
  }

  /** Aggregates each window incrementally; emits the result, or what `process` makes of it. */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process: ProcessAllWindowFunction<V, R, W>,
  ): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    process?: ProcessAllWindowFunction<V, R, W>,
  ): DataStream<R> {
    if (process === undefined) {
      return single(this.windowed.aggregate(fn)) as unknown as DataStream<R>;
    }
    return single(this.windowed.aggregate(fn, keyless(process)));
  }

  /** Evaluates each window with all its elements. */
  process<R>(fn: ProcessAllWindowFunction<T, R, W>): DataStream<R> {
    return single(this.windowed.process(keyless(fn)));
  }

  /** Evaluates each window with all its elements (Flink's AllWindowFunction). */
  apply<R>(fn: AllWindowFunction<T, R, W>): DataStream<R> {
    return single(this.windowed.apply((_key, window, elements, out) => fn(window, elements, out)));
  }

  /** Sum of a numeric field per window. */
  sum(field: FieldRef): DataStream<T> {
    return single(this.windowed.sum(field));
  }
  /** Minimum of a field per window. */
  min(field: FieldRef): DataStream<T> {
    return single(this.windowed.min(field));
  }
  /** Maximum of a field per window. */
  max(field: FieldRef): DataStream<T> {
    return single(this.windowed.max(field));
  }
  /** The element with the smallest value of a field, per window. */
  minBy(field: FieldRef): DataStream<T> {
    return single(this.windowed.minBy(field));
  }
  /** The element with the largest value of a field, per window. */
  maxBy(field: FieldRef): DataStream<T> {
    return single(this.windowed.maxBy(field));
  }
}

/** Non-keyed windows run in one subtask. */
function single<R>(stream: DataStream<R>): DataStream<R> {
  return stream.setParallelism(1);
}

/** A ProcessAllWindowFunction as a keyed one (the key is the constant). */
function keyless<IN, OUT, W extends Window>(fn: ProcessAllWindowFunction<IN, OUT, W>) {
  return {
    open: fn.open?.bind(fn),
    close: fn.close?.bind(fn),
    snapshotState: fn.snapshotState?.bind(fn),
    notifyCheckpointComplete: fn.notifyCheckpointComplete?.bind(fn),
    process: (
      _key: number,
      ctx: Parameters<ProcessAllWindowFunction<IN, OUT, W>["process"]>[0],
      elements: IN[],
      out: Parameters<ProcessAllWindowFunction<IN, OUT, W>["process"]>[2],
    ) => fn.process(ctx, elements, out),
    clear: fn.clear?.bind(fn),
  };
}
