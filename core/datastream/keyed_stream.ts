/**
 * KeyedStream: a stream partitioned by key, with keyed state per key.
 * @module
 */

import { extremeBy, extremeOf, type FieldRef, sumOf } from "../operators/aggregations.ts";
import { FilterOperator } from "../operators/filter.ts";
import { FlatMapOperator } from "../operators/flat_map.ts";
import { MapOperator } from "../operators/map.ts";
import { KeyedProcessOperator } from "../operators/keyed_process.ts";
import { KeyedReduceOperator } from "../operators/keyed_reduce.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";
import { DataStream } from "./data_stream.ts";
import { BroadcastStream, KeyedBroadcastConnectedStream } from "./broadcast_stream.ts";
import { KeyedConnectedStreams } from "./connected_streams.ts";
import { IntervalJoin } from "./interval_join.ts";
import type {
  FilterFunction,
  FlatMapFunction,
  KeyedProcessFunction,
  KeySelector,
  MapFunction,
  ReduceFunction,
} from "../api/functions.ts";
import type { StreamExecutionEnvironment } from "./stream_execution_environment.ts";
import type { Transformation } from "../graph/transformation.ts";
import { WindowedStream } from "./windowed_stream.ts";
import { CountEvictor } from "../windows/evictors.ts";
import { CountTrigger } from "../windows/count_trigger.ts";
import { GlobalWindows } from "../windows/global_windows.ts";
import { PurgingTrigger } from "../windows/purging_trigger.ts";
import type { GlobalWindow } from "../windows/time_window.ts";
import type { Window } from "../api/window.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";

/**
 * A stream partitioned by a key selector.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromElements(["a", 1], ["b", 2], ["a", 3]).keyBy(([k]) => k).sum(1).print();
 * ```
 */
export class KeyedStream<T, K> {
  constructor(
    readonly env: StreamExecutionEnvironment,
    readonly transformation: Transformation,
    readonly keySelector: KeySelector<T, K>,
  ) {}

  /**
   * Applies `fn` to every record, after the records are partitioned by key
   * (Flink's KeyedStream is a DataStream: `keyBy(...).map(...)` maps each
   * key's records in the subtask that owns the key). The result is not keyed.
   */
  map<R>(fn: MapFunction<T, R>): DataStream<R> {
    return this.keyed("Map", () => new MapOperator(fn));
  }
  /** `flatMap` on the records partitioned by key (see `map`). */
  flatMap<R>(fn: FlatMapFunction<T, R>): DataStream<R> {
    return this.keyed("Flat Map", () => new FlatMapOperator(fn));
  }
  /** `filter` on the records partitioned by key (see `map`). */
  filter<S extends T>(fn: (value: T) => value is S): DataStream<S>;
  filter(fn: FilterFunction<T>): DataStream<T>;
  filter(fn: FilterFunction<T>): DataStream<T> {
    return this.keyed("Filter", () => new FilterOperator(fn));
  }
  /** Folds each key's records with `fn`; emits each update (streaming) or the final value (batch). */
  reduce(fn: ReduceFunction<T>): DataStream<T> {
    return this.keyed("Keyed Reduce", () => new KeyedReduceOperator(fn, this.keySelector));
  }
  /** Running sum of a numeric field per key. */
  sum(field: FieldRef): DataStream<T> {
    return this.aggregate("Sum", sumOf<T>(field));
  }
  /** Running minimum of a field per key (other fields from the first record). */
  min(field: FieldRef): DataStream<T> {
    return this.aggregate("Min", extremeOf<T>(field, -1));
  }
  /** Running maximum of a field per key (other fields from the first record). */
  max(field: FieldRef): DataStream<T> {
    return this.aggregate("Max", extremeOf<T>(field, 1));
  }
  /** The record with the smallest value of a field, per key. */
  minBy(field: FieldRef): DataStream<T> {
    return this.aggregate("MinBy", extremeBy<T>(field, -1));
  }
  /** The record with the largest value of a field, per key. */
  maxBy(field: FieldRef): DataStream<T> {
    return this.aggregate("MaxBy", extremeBy<T>(field, 1));
  }
  /** Applies a KeyedProcessFunction, with state scoped to each record's key. */
  process<R>(fn: KeyedProcessFunction<K, T, R>): DataStream<R> {
    return this.keyed("KeyedProcess", () => new KeyedProcessOperator(fn, this.keySelector));
  }

  /**
   * Connects this keyed stream to a broadcast stream (keyed state, timers and
   * broadcast rules), or to another stream keyed alike.
   */
  connect<T2>(other: BroadcastStream<T2>): KeyedBroadcastConnectedStream<T, T2, K>;
  connect<T2>(other: KeyedStream<T2, K>): KeyedConnectedStreams<T, T2, K>;
  connect<T2>(
    other: BroadcastStream<T2> | KeyedStream<T2, K>,
  ): KeyedBroadcastConnectedStream<T, T2, K> | KeyedConnectedStreams<T, T2, K> {
    return other instanceof BroadcastStream
      ? new KeyedBroadcastConnectedStream(this, other)
      : new KeyedConnectedStreams(this, other);
  }

  /**
   * Joins this stream's records with `other`'s of the same key by event
   * time: `.between(lowerMs, upperMs).process(fn)`.
   */
  intervalJoin<T2>(other: KeyedStream<T2, K>): IntervalJoin<T, T2, K> {
    return new IntervalJoin(this, other);
  }

  /** Cuts each key's records into the windows `assigner` assigns. */
  window<W extends Window>(assigner: WindowAssigner<T, W>): WindowedStream<T, K, W> {
    return new WindowedStream(this, assigner);
  }

  /**
   * Windows of `size` records per key: tumbling, or sliding by `slide`
   * records (each firing then holds the last `size`).
   */
  countWindow(size: number, slide?: number): WindowedStream<T, K, GlobalWindow> {
    const windows = this.window(GlobalWindows.create() as WindowAssigner<T, GlobalWindow>);
    if (slide === undefined) return windows.trigger(PurgingTrigger.of(CountTrigger.of(size)));
    return windows.evictor(CountEvictor.of(size)).trigger(CountTrigger.of(slide));
  }

  private aggregate(name: string, fn: ReduceFunction<T>): DataStream<T> {
    return this.keyed(name, () => new KeyedReduceOperator(fn, this.keySelector));
  }

  private keyed<R>(name: string, factory: OperatorFactory): DataStream<R> {
    const selector = this.keySelector as KeySelector<unknown, unknown>;
    return new DataStream<R>(
      this.env,
      this.env.addOperator(this.transformation, name, factory, selector),
    );
  }
}
