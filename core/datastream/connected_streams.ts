/**
 * ConnectedStreams: two streams, possibly of different types, that one
 * two-input operator processes together, sharing state between them (after
 * Flink's ConnectedStreams). Keyed alike with `keyBy(k1, k2)`, records of
 * equal keys from both inputs meet in the same subtask and keyed state.
 * @module
 */

import { CoFlatMapOperator } from "../operators/co_flat_map.ts";
import { CoMapOperator, type KeySelectors } from "../operators/co_map.ts";
import { CoProcessOperator } from "../operators/co_process.ts";
import { KeyedCoProcessOperator } from "../operators/keyed_co_process.ts";
import type { OperatorFactory } from "../operators/stream_operator.ts";
import { checkSameEnvironment, twoInputStream } from "./_two_input.ts";
import type {
  CoFlatMapFunction,
  CoMapFunction,
  CoProcessFunction,
  KeyedCoProcessFunction,
} from "../api/co_functions.ts";
import type { DataStream } from "./data_stream.ts";
import type { KeySelector } from "../api/functions.ts";
import type { KeyedStream } from "./keyed_stream.ts";

/**
 * Two connected streams.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const numbers = env.fromElements(1, 2, 3);
 * const words = env.fromElements("a", "b");
 * numbers.connect(words).map({ map1: (n) => `#${n}`, map2: (w) => w.toUpperCase() }).print();
 * ```
 */
export class ConnectedStreams<IN1, IN2> {
  constructor(readonly first: DataStream<IN1>, readonly second: DataStream<IN2>) {
    checkSameEnvironment(first, second, "connect()");
  }

  /** Applies `map1` to the first stream's records and `map2` to the second's. */
  map<R>(fn: CoMapFunction<IN1, IN2, R>): DataStream<R> {
    return this.transform("Co-Map", () => new CoMapOperator(fn));
  }

  /** Emits any number of records per input record, through `flatMap1` or `flatMap2`. */
  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): DataStream<R> {
    return this.transform("Co-Flat Map", () => new CoFlatMapOperator(fn));
  }

  /** Applies a CoProcessFunction (timers need `keyBy` first). */
  process<R>(fn: CoProcessFunction<IN1, IN2, R>): DataStream<R> {
    return this.transform("Co-Process", () => new CoProcessOperator(fn));
  }

  /** Keys both streams: records with equal keys, from either input, meet in one subtask. */
  keyBy<K>(
    keySelector1: KeySelector<IN1, K>,
    keySelector2: KeySelector<IN2, K>,
  ): KeyedConnectedStreams<IN1, IN2, K> {
    return new KeyedConnectedStreams(
      this.first.keyBy(keySelector1),
      this.second.keyBy(keySelector2),
    );
  }

  private transform<R>(name: string, factory: OperatorFactory): DataStream<R> {
    return twoInputStream(this.first, this.second, name, factory);
  }
}

/**
 * Two connected streams keyed alike: keyed state and timers are scoped to
 * the key of each record, whichever input it came on.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const orders = env.fromElements({ id: "o1", user: "ann" });
 * const users = env.fromElements({ user: "ann", city: "Oslo" });
 * orders.connect(users)
 *   .keyBy((o) => o.user, (u) => u.user)
 *   .process<string>({
 *     processElement1: (o, ctx, out) => out.collect(`order ${o.id} of ${ctx.getCurrentKey()}`),
 *     processElement2: (u, _ctx, out) => out.collect(`${u.user} lives in ${u.city}`),
 *   })
 *   .print();
 * ```
 */
export class KeyedConnectedStreams<IN1, IN2, K> {
  constructor(readonly first: KeyedStream<IN1, K>, readonly second: KeyedStream<IN2, K>) {
    checkSameEnvironment(first, second, "connect()");
  }

  /** Applies `map1` or `map2` per record; rich functions get keyed state in `open`. */
  map<R>(fn: CoMapFunction<IN1, IN2, R>): DataStream<R> {
    const keys = this.keys();
    return this.transform("Co-Map", () => new CoMapOperator(fn, keys));
  }

  /** Emits any number of records per input record; rich functions get keyed state in `open`. */
  flatMap<R>(fn: CoFlatMapFunction<IN1, IN2, R>): DataStream<R> {
    const keys = this.keys();
    return this.transform("Co-Flat Map", () => new CoFlatMapOperator(fn, keys));
  }

  /** Applies a KeyedCoProcessFunction, with keyed state and timers. */
  process<R>(fn: KeyedCoProcessFunction<K, IN1, IN2, R>): DataStream<R> {
    const [k1, k2] = [this.first.keySelector, this.second.keySelector];
    return this.transform("KeyedCoProcess", () => new KeyedCoProcessOperator(fn, k1, k2));
  }

  private keys(): KeySelectors<IN1, IN2> {
    return [this.first.keySelector, this.second.keySelector];
  }

  private transform<R>(name: string, factory: OperatorFactory): DataStream<R> {
    const { first, second } = this;
    return twoInputStream(first, second, name, factory, first.keySelector, second.keySelector);
  }
}
