/**
 * User function types of the multi-input DataStream API (after Flink's
 * CoMapFunction, CoProcessFunction, BroadcastProcessFunction and
 * ProcessJoinFunction): functions over two connected streams, over a stream
 * and a broadcast stream of rules, and over the pairs of an interval join.
 * Each is an object, with the optional lifecycle hooks of RichFunction.
 * @module
 */

import type {
  Collector,
  KeyedProcessContext,
  OnTimerContext,
  OutputTag,
  ProcessContext,
  RichFunction,
  TimeDomain,
  TimerService,
} from "./functions.ts";
import type { MapState, MapStateDescriptor } from "./state.ts";

/**
 * One-to-one over two connected streams: `map1` takes the records of the
 * first input, `map2` those of the second.
 *
 * @example
 * ```ts
 * import type { CoMapFunction } from "./co_functions.ts";
 * const both: CoMapFunction<number, string, string> = {
 *   map1: (n) => `number ${n}`,
 *   map2: (s) => `text ${s}`,
 * };
 * ```
 */
export interface CoMapFunction<IN1, IN2, R> extends RichFunction {
  /** Maps one record of the first input. */
  map1(value: IN1): R;
  /** Maps one record of the second input. */
  map2(value: IN2): R;
}

/** One-to-many over two connected streams: `flatMap1` for input 1, `flatMap2` for input 2. */
export interface CoFlatMapFunction<IN1, IN2, R> extends RichFunction {
  /** Emits any number of records for one record of the first input. */
  flatMap1(value: IN1, out: Collector<R>): void;
  /** Emits any number of records for one record of the second input. */
  flatMap2(value: IN2, out: Collector<R>): void;
}

/**
 * A low-level function over two connected streams. Timers (and `onTimer`)
 * need keyed inputs: `connect(other).keyBy(k1, k2).process(fn)`.
 */
export interface CoProcessFunction<IN1, IN2, R> extends RichFunction {
  /** Handles one record of the first input. */
  processElement1(value: IN1, ctx: ProcessContext, out: Collector<R>): void;
  /** Handles one record of the second input. */
  processElement2(value: IN2, ctx: ProcessContext, out: Collector<R>): void;
  /** A timer fired (keyed inputs only). */
  onTimer?(timestamp: number, ctx: OnTimerContext<unknown>, out: Collector<R>): void;
}

/**
 * A low-level function over two connected streams keyed alike: state and
 * timers are scoped to the key of the record (or timer) being handled, the
 * same for both inputs.
 *
 * @example
 * ```ts
 * import type { KeyedCoProcessFunction } from "./co_functions.ts";
 * import { type ValueState, ValueStateDescriptor } from "./state.ts";
 * // Emits an order's id once its payment has arrived, whichever comes first.
 * type Order = { id: string };
 * type Payment = { orderId: string };
 * let seen: ValueState<boolean>;
 * const paid: KeyedCoProcessFunction<string, Order, Payment, string> = {
 *   open(ctx) {
 *     seen = ctx.getState(new ValueStateDescriptor<boolean>("seen"));
 *   },
 *   processElement1(order, _ctx, out) {
 *     if (seen.value()) out.collect(order.id);
 *     else seen.update(true);
 *   },
 *   processElement2(payment, _ctx, out) {
 *     if (seen.value()) out.collect(payment.orderId);
 *     else seen.update(true);
 *   },
 * };
 * ```
 */
export interface KeyedCoProcessFunction<K, IN1, IN2, R> extends RichFunction {
  /** Handles one record of the first input; state is scoped to its key. */
  processElement1(value: IN1, ctx: KeyedProcessContext<K>, out: Collector<R>): void;
  /** Handles one record of the second input; state is scoped to its key. */
  processElement2(value: IN2, ctx: KeyedProcessContext<K>, out: Collector<R>): void;
  /** A timer of the current key fired (event time: the combined watermark passed it). */
  onTimer?(timestamp: number, ctx: OnTimerContext<K>, out: Collector<R>): void;
}

/** A broadcast state as the non-broadcast input sees it: read only, so every subtask's copy stays the same. */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  entries(): [K, V][];
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
}

/** What both inputs of a broadcast process function see. */
export interface BaseBroadcastContext {
  /** Index of this parallel subtask. */
  readonly subtaskIndex: number;
  /** Event timestamp of the current record (undefined when it has none). */
  timestamp(): number | undefined;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
  /** The task's processing time in ms. */
  currentProcessingTime(): number;
  /** The operator's combined watermark (-Infinity before the first). */
  currentWatermark(): number;
}

/** Context of `processBroadcastElement`: the broadcast states are writable. */
export interface BroadcastContext extends BaseBroadcastContext {
  /** A broadcast state declared in `broadcast(...descriptors)`. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
}

/** Context of `processElement` of a BroadcastProcessFunction: the broadcast states are read only. */
export interface ReadOnlyBroadcastContext extends BaseBroadcastContext {
  /** A broadcast state declared in `broadcast(...descriptors)`, read only. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** Context of `processElement` of a KeyedBroadcastProcessFunction: the key, and timers. */
export interface KeyedReadOnlyBroadcastContext<K> extends ReadOnlyBroadcastContext {
  /** Key of the record being processed. */
  getCurrentKey(): K;
  /** Time and per-key timers. */
  timerService(): TimerService;
}

/** Context of `onTimer` of a KeyedBroadcastProcessFunction. */
export interface KeyedBroadcastOnTimerContext<K> extends KeyedReadOnlyBroadcastContext<K> {
  /** The clock of the timer that fired. */
  timeDomain(): TimeDomain;
}

/**
 * The broadcast state pattern over a non-keyed stream: records of the
 * broadcast input reach every subtask and update its broadcast state; the
 * other input's records read it.
 */
export interface BroadcastProcessFunction<IN1, IN2, R> extends RichFunction {
  /** Handles one record of the non-broadcast input. */
  processElement(value: IN1, ctx: ReadOnlyBroadcastContext, out: Collector<R>): void;
  /** Handles one record of the broadcast input (every subtask sees each). */
  processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<R>): void;
}

/**
 * The broadcast state pattern over a keyed stream: keyed state and timers
 * for the keyed input's records, broadcast state for the rules. (Flink's
 * `applyToKeyedState` on the broadcast side is not offered: a broadcast
 * record has no key, and visiting every key of the subtask is rarely what a
 * rule needs.)
 *
 * @example
 * ```ts
 * import type { KeyedBroadcastProcessFunction } from "./co_functions.ts";
 * import { MapStateDescriptor } from "./state.ts";
 * const limits = new MapStateDescriptor<string, number>("limits");
 * const alert: KeyedBroadcastProcessFunction<string, number, [string, number], string> = {
 *   processElement(v, ctx, out) {
 *     const limit = ctx.getBroadcastState(limits).get("max");
 *     if (limit !== undefined && v > limit) out.collect(`${ctx.getCurrentKey()}: ${v}`);
 *   },
 *   processBroadcastElement([name, value], ctx) {
 *     ctx.getBroadcastState(limits).put(name, value);
 *   },
 * };
 * ```
 */
export interface KeyedBroadcastProcessFunction<K, IN1, IN2, R> extends RichFunction {
  /** Handles one record of the keyed input; state is scoped to its key. */
  processElement(value: IN1, ctx: KeyedReadOnlyBroadcastContext<K>, out: Collector<R>): void;
  /**
   * Handles one record of the broadcast input (every subtask sees each). It
   * has no key: keyed state here is not scoped to any record's key, so leave it alone.
   */
  processBroadcastElement(value: IN2, ctx: BroadcastContext, out: Collector<R>): void;
  /** A timer of the current key fired. */
  onTimer?(timestamp: number, ctx: KeyedBroadcastOnTimerContext<K>, out: Collector<R>): void;
}

/** Context of one joined pair of an interval join. */
export interface ProcessJoinContext {
  /** Timestamp of the left record. */
  leftTimestamp(): number;
  /** Timestamp of the right record. */
  rightTimestamp(): number;
  /** The later of the two: the timestamp of what the function emits. */
  timestamp(): number;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Called for each pair of an interval join: a left and a right record of the
 * same key whose timestamps are within the join's bounds.
 *
 * @example
 * ```ts
 * import type { ProcessJoinFunction } from "./co_functions.ts";
 * const pair: ProcessJoinFunction<{ id: string }, { id: string }, string> = {
 *   processElement(click, view, ctx, out) {
 *     out.collect(`${click.id}/${view.id} at ${ctx.timestamp()}`);
 *   },
 * };
 * ```
 */
export interface ProcessJoinFunction<IN1, IN2, R> extends RichFunction {
  /** Handles one joined pair; what it emits carries `ctx.timestamp()`. */
  processElement(left: IN1, right: IN2, ctx: ProcessJoinContext, out: Collector<R>): void;
}
