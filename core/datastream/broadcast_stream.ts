/**
 * The broadcast state pattern (after Flink's BroadcastStream and
 * BroadcastConnectedStream): `stream.broadcast(...descriptors)` sends every
 * record of a (usually small) stream of rules to every subtask of the
 * operator it is connected to, where it updates the broadcast states the
 * descriptors name; the other stream's records read them. The states live in
 * operator state, so checkpoints take them and every subtask gets the same
 * copy on restore, at any parallelism.
 * @module
 */

import { BroadcastProcessOperator } from "../operators/broadcast_process.ts";
import { KeyedBroadcastProcessOperator } from "../operators/keyed_broadcast_process.ts";
import { checkSameEnvironment, twoInputStream } from "./_two_input.ts";
import type {
  BroadcastProcessFunction,
  KeyedBroadcastProcessFunction,
} from "../api/co_functions.ts";
import type { DataStream } from "./data_stream.ts";
import type { KeyedStream } from "./keyed_stream.ts";
import type { MapStateDescriptor } from "../api/state.ts";
import type { StreamExecutionEnvironment } from "./stream_execution_environment.ts";
import type { Transformation } from "../graph/transformation.ts";

/**
 * A stream whose records go to every subtask of the operator it feeds, with
 * the broadcast states they may update. Connect a stream to it.
 *
 * @example
 * ```ts
 * import { MapStateDescriptor, StreamExecutionEnvironment } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const thresholds = new MapStateDescriptor<string, number>("thresholds");
 * const rules = env.fromElements(["max", 10] as [string, number]).broadcast(thresholds);
 * env.fromElements(3, 12, 7).connect(rules).process<number>({
 *   processElement(v, ctx, out) {
 *     if (v <= (ctx.getBroadcastState(thresholds).get("max") ?? Infinity)) out.collect(v);
 *   },
 *   processBroadcastElement([name, value], ctx) {
 *     ctx.getBroadcastState(thresholds).put(name, value);
 *   },
 * }).print();
 * ```
 */
export class BroadcastStream<T> {
  /** `stream` is already partitioned with the broadcast partitioner. */
  constructor(
    readonly stream: DataStream<T>,
    readonly descriptors: readonly MapStateDescriptor<unknown, unknown>[],
  ) {
    const names = new Set<string>();
    for (const d of descriptors) {
      if (names.has(d.name)) {
        throw new Error(`broadcast(): two state descriptors are named '${d.name}'; rename one`);
      }
      names.add(d.name);
    }
  }
  get env(): StreamExecutionEnvironment {
    return this.stream.env;
  }
  get transformation(): Transformation {
    return this.stream.transformation;
  }
}

/** A non-keyed stream connected to a broadcast stream. */
export class BroadcastConnectedStream<IN1, IN2> {
  constructor(readonly first: DataStream<IN1>, readonly broadcast: BroadcastStream<IN2>) {
    checkSameEnvironment(first, broadcast, "connect()");
  }

  /** Applies a BroadcastProcessFunction: rules in broadcast state, read by every record. */
  process<R>(fn: BroadcastProcessFunction<IN1, IN2, R>): DataStream<R> {
    const descriptors = this.broadcast.descriptors;
    return twoInputStream(
      this.first,
      this.broadcast,
      "Co-Process-Broadcast",
      () => new BroadcastProcessOperator(fn, descriptors),
    );
  }
}

/** A keyed stream connected to a broadcast stream. */
export class KeyedBroadcastConnectedStream<IN1, IN2, K> {
  constructor(readonly first: KeyedStream<IN1, K>, readonly broadcast: BroadcastStream<IN2>) {
    checkSameEnvironment(first, broadcast, "connect()");
  }

  /** Applies a KeyedBroadcastProcessFunction: keyed state and timers, and broadcast rules. */
  process<R>(fn: KeyedBroadcastProcessFunction<K, IN1, IN2, R>): DataStream<R> {
    const { descriptors } = this.broadcast;
    const key = this.first.keySelector;
    return twoInputStream(
      this.first,
      this.broadcast,
      "Co-Process-Broadcast-Keyed",
      () => new KeyedBroadcastProcessOperator(fn, key, descriptors),
      key,
    );
  }
}
