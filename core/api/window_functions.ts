/**
 * The functions a window evaluates (after Flink's ProcessWindowFunction,
 * WindowFunction, CoGroupFunction and JoinFunction). Reduce and aggregate
 * functions fold a window incrementally, element by element; the functions
 * here get the whole window (or the folded value) when it fires.
 * @module
 */

import type { Collector, OutputTag, RichFunction } from "./functions.ts";
import type { KeyedStateStore } from "./keyed_state_store.ts";
import type { Window } from "./window.ts";

/** What a window function knows of the firing window. */
export interface ProcessWindowContext<W extends Window> {
  /** The window being evaluated. */
  readonly window: W;
  /** The task's processing time in ms. */
  currentProcessingTime(): number;
  /** The operator's watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** State of the current key in this window only; clear it in `clear`. */
  windowState(): KeyedStateStore;
  /** State of the current key, across its windows. */
  globalState(): KeyedStateStore;
  /** Emits `value` to the side output `tag`. */
  output<X>(tag: OutputTag<X>, value: X): void;
}

/**
 * Evaluates a window of a keyed stream with everything it holds: all
 * elements, or the one value an incremental reduce or aggregate folded.
 *
 * @example
 * ```ts
 * import type { ProcessWindowFunction } from "./window_functions.ts";
 * import type { Window } from "./window.ts";
 * const countPerWindow: ProcessWindowFunction<number, string, string, Window> = {
 *   process(key, ctx, elements, out) {
 *     out.collect(`${key} until ${ctx.window.maxTimestamp()}: ${elements.length}`);
 *   },
 * };
 * ```
 */
export interface ProcessWindowFunction<IN, OUT, K, W extends Window> extends RichFunction {
  /** Called when the window fires; `elements` is a fresh array. */
  process(key: K, ctx: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  /** Called when the window is dropped (after its allowed lateness). */
  clear?(ctx: ProcessWindowContext<W>): void;
}

/** {@linkcode ProcessWindowFunction} of a non-keyed (all-) window. */
export interface ProcessAllWindowFunction<IN, OUT, W extends Window> extends RichFunction {
  process(ctx: ProcessWindowContext<W>, elements: IN[], out: Collector<OUT>): void;
  clear?(ctx: ProcessWindowContext<W>): void;
}

/** The older, simpler window function (Flink's WindowFunction, used by `apply`). */
export type WindowFunction<IN, OUT, K, W extends Window> = (
  key: K,
  window: W,
  elements: IN[],
  out: Collector<OUT>,
) => void;

/** {@linkcode WindowFunction} of a non-keyed (all-) window. */
export type AllWindowFunction<IN, OUT, W extends Window> = (
  window: W,
  elements: IN[],
  out: Collector<OUT>,
) => void;

/** Gets the elements of both inputs of one key in one window (`coGroup`). */
export type CoGroupFunction<A, B, OUT> = (first: A[], second: B[], out: Collector<OUT>) => void;

/** Joins one pair of elements of the same key in the same window (`join`). */
export type JoinFunction<A, B, OUT> = (first: A, second: B) => OUT;

/** Joins one pair of elements, emitting any number of results (`join(...).apply` flat form). */
export type FlatJoinFunction<A, B, OUT> = (first: A, second: B, out: Collector<OUT>) => void;
