/**
 * The one interface of everything that hands out keyed state (after Flink's
 * KeyedStateStore): the RuntimeContext of rich functions, the keyed state
 * backends, and the window state a window function reads.
 * @module
 */

import type {
  AggregatingState,
  AggregatingStateDescriptor,
  ListState,
  ListStateDescriptor,
  MapState,
  MapStateDescriptor,
  ReducingState,
  ReducingStateDescriptor,
  ValueState,
  ValueStateDescriptor,
} from "./state.ts";

/**
 * Keyed state handles, each scoped to the current key (and, for window
 * state, to the current window). A handle is registered by its descriptor's
 * name on first use; later calls with the same name return the same state.
 *
 * @example
 * ```ts
 * import type { KeyedStateStore } from "./keyed_state_store.ts";
 * import { ValueStateDescriptor } from "./state.ts";
 * const COUNT = new ValueStateDescriptor<number>("count", 0);
 * function increment(store: KeyedStateStore): number {
 *   const count = store.getState(COUNT);
 *   count.update((count.value() ?? 0) + 1);
 *   return count.value()!;
 * }
 * ```
 */
export interface KeyedStateStore {
  /** A value per key. */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  /** A list per key. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** A map per key. */
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  /** One value per key folded from everything added, with the descriptor's reduce function. */
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  /** One accumulator per key, folded with the descriptor's aggregate function. */
  getAggregatingState<IN, ACC, OUT>(
    descriptor: AggregatingStateDescriptor<IN, ACC, OUT>,
  ): AggregatingState<IN, OUT>;
}
