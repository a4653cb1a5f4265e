/**
 * State descriptors (name, kind-specific functions, optional time-to-live) and
 * the state interfaces that keyed and operator state backends hand out (after
 * Flink's StateDescriptor family and StateTtlConfig).
 * @module
 */

/** When the last-access timestamp of a state entry is refreshed. */
export type TtlUpdateType = "OnCreateAndWrite" | "OnReadAndWrite";

/** Whether a read may return an expired entry that is still stored. */
export type TtlStateVisibility = "NeverReturnExpired" | "ReturnExpiredIfNotCleanedUp";

/**
 * Time-to-live of keyed state entries (after Flink's StateTtlConfig). An entry
 * expires `ttlMs` after its last refresh; expired entries are removed when read.
 * Value, reducing and aggregating states expire as a whole; list elements and
 * map entries expire one by one.
 */
export interface StateTtlConfig {
  readonly ttlMs: number;
  readonly updateType: TtlUpdateType;
  readonly visibility: TtlStateVisibility;
}

/**
 * A TTL config with Flink's defaults (`OnCreateAndWrite`, `NeverReturnExpired`).
 *
 * @example
 * ```ts
 * import { stateTtlConfig } from "./state.ts";
 * const ttl = stateTtlConfig(60_000, { updateType: "OnReadAndWrite" });
 * ```
 */
export function stateTtlConfig(
  ttlMs: number,
  options: { updateType?: TtlUpdateType; visibility?: TtlStateVisibility } = {},
): StateTtlConfig {
  return {
    ttlMs,
    updateType: options.updateType ?? "OnCreateAndWrite",
    visibility: options.visibility ?? "NeverReturnExpired",
  };
}

/**
 * Describes a value state: its name (unique per operator), the value read
 * while none is set, and an optional time-to-live.
 *
 * @example
 * ```ts
 * import { stateTtlConfig, ValueStateDescriptor } from "./state.ts";
 * const count = new ValueStateDescriptor<number>("count", 0);
 * const last = new ValueStateDescriptor<number>("last", 0, stateTtlConfig(1000));
 * ```
 */
export class ValueStateDescriptor<T> {
  constructor(
    readonly name: string,
    readonly defaultValue?: T,
    readonly ttl?: StateTtlConfig,
  ) {}
}

/**
 * Describes a list state (also used for operator list and union-list state).
 *
 * @example
 * ```ts
 * import { ListStateDescriptor } from "./state.ts";
 * const buffered = new ListStateDescriptor<string>("buffered");
 * ```
 */
export class ListStateDescriptor<T> {
  /** Only for typing: list elements are of type T. */
  declare readonly elementType?: T;
  constructor(readonly name: string, readonly ttl?: StateTtlConfig) {}
}

/**
 * Describes a map state (also used for broadcast state). Structured user keys
 * are compared by their JSON text.
 *
 * @example
 * ```ts
 * import { MapStateDescriptor } from "./state.ts";
 * const perPage = new MapStateDescriptor<string, number>("perPage");
 * ```
 */
export class MapStateDescriptor<K, V> {
  /** Only for typing: map entries are of type [K, V]. */
  declare readonly entryType?: [K, V];
  constructor(readonly name: string, readonly ttl?: StateTtlConfig) {}
}

/**
 * Describes a reducing state: added values fold into one with `reduceFn`.
 *
 * @example
 * ```ts
 * import { ReducingStateDescriptor } from "./state.ts";
 * const sum = new ReducingStateDescriptor<number>("sum", (a, b) => a + b);
 * ```
 */
export class ReducingStateDescriptor<T> {
  constructor(
    readonly name: string,
    readonly reduceFn: (accumulated: T, value: T) => T,
    readonly ttl?: StateTtlConfig,
  ) {}
}

/** Folds inputs into an accumulator and reads a result from it (Flink's AggregateFunction). */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  merge?(a: ACC, b: ACC): ACC;
}

/**
 * Describes an aggregating state.
 *
 * @example
 * ```ts
 * import { AggregatingStateDescriptor } from "./state.ts";
 * const avg = new AggregatingStateDescriptor<number, [number, number], number>("avg", {
 *   createAccumulator: () => [0, 0],
 *   add: (v, [sum, n]) => [sum + v, n + 1],
 *   getResult: ([sum, n]) => sum / n,
 * });
 * ```
 */
export class AggregatingStateDescriptor<IN, ACC, OUT> {
  constructor(
    readonly name: string,
    readonly aggregateFunction: AggregateFunction<IN, ACC, OUT>,
    readonly ttl?: StateTtlConfig,
  ) {}
}

/** The value of a state for the current key. */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default when unset. */
  value(): T | undefined;
  /** Sets the value for the current key. */
  update(value: T): void;
  /** Removes the value for the current key. */
  clear(): void;
}

/** A list per key (or per operator subtask for operator state). */
export interface ListState<T> {
  /** A fresh array of the elements (empty when none). */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces all elements; an empty iterable clears the state. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/** A map per key (or a broadcast map). Structured keys compare by their JSON text. */
export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  putAll(entries: Iterable<readonly [K, V]>): void;
  remove(key: K): void;
  contains(key: K): boolean;
  /** Fresh arrays; the order is the insertion order of the keys. */
  entries(): [K, V][];
  keys(): K[];
  values(): V[];
  isEmpty(): boolean;
  clear(): void;
}

/** One value per key folded from everything added. */
export interface ReducingState<T> {
  /** The folded value, or undefined when nothing was added. */
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** One accumulator per key; `get` returns the aggregate function's result. */
export interface AggregatingState<IN, OUT> {
  /** The result, or undefined when nothing was added. */
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
