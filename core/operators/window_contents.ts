/**
 * What a window holds, in keyed state scoped to the window's namespace:
 * the value a reduce function folded, an aggregate function's accumulator,
 * or the elements themselves (process, apply and evicting windows). The
 * window operator sets the key and namespace; these only read and write the
 * current one, and merge namespaces when session windows merge.
 * @module
 */

import type { ReduceFunction } from "../api/functions.ts";
import {
  type AggregateFunction,
  AggregatingStateDescriptor,
  type ListState,
  ListStateDescriptor,
  type ReducingState,
  ReducingStateDescriptor,
} from "../api/state.ts";
import type { AccumulatorAccess } from "../state/_scalar_states.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import type { TimestampedValue } from "../windows/evictors.ts";

/** How a window folds its elements. */
export type WindowFold =
  | { readonly kind: "reduce"; readonly fn: ReduceFunction<unknown> }
  | { readonly kind: "aggregate"; readonly fn: AggregateFunction<unknown, unknown, unknown> }
  | { readonly kind: "list" };

/** The state name of window contents (one per window operator). */
const CONTENTS = "window-contents";

/** The contents of the current key's window in the current namespace. */
export interface WindowContents {
  add(value: unknown, timestamp: number): void;
  /** What the window function gets: the folded value, or the elements; undefined when empty. */
  get(): unknown;
  clear(): void;
  /** Moves the contents of namespaces `sources` into namespace `target`. */
  merge(target: string, sources: readonly string[]): void;
}

/** The contents of windows folded by `fold`, in `backend`. */
export function windowContents(backend: KeyedStateBackend, fold: WindowFold): WindowContents {
  switch (fold.kind) {
    case "reduce":
      return new ReducedContents(backend, fold.fn);
    case "aggregate":
      return new AggregatedContents(backend, fold.fn);
    case "list":
      return new ListContents(backend, false);
  }
}

/**
 * The elements of an evicting window, with their timestamps: evictors need
 * the whole list, so the fold is applied when the window fires
 * ({@linkcode foldElements}).
 */
export function evictingContents(backend: KeyedStateBackend): ListContents {
  return new ListContents(backend, true);
}

/** What `fold` makes of `values` at a firing; undefined when there are none. */
export function foldElements(fold: WindowFold, values: unknown[]): unknown {
  if (values.length === 0) return undefined;
  switch (fold.kind) {
    case "reduce":
      return values.reduce(fold.fn);
    case "aggregate": {
      let acc = fold.fn.createAccumulator();
      for (const v of values) acc = fold.fn.add(v, acc);
      return acc;
    }
    case "list":
      return values;
  }
}

/** Collects what `take` returns (and clears) in each of the namespaces `sources`. */
function drain<V>(
  backend: KeyedStateBackend,
  sources: readonly string[],
  take: () => V | undefined,
): V[] {
  const taken: V[] = [];
  for (const ns of sources) {
    backend.setCurrentNamespace(ns);
    const v = take();
    if (v !== undefined) taken.push(v);
  }
  return taken;
}

class ReducedContents implements WindowContents {
  private readonly state: ReducingState<unknown>;
  constructor(private readonly backend: KeyedStateBackend, fn: ReduceFunction<unknown>) {
    this.state = backend.getReducingState(new ReducingStateDescriptor(CONTENTS, fn));
  }
  add(value: unknown): void {
    this.state.add(value);
  }
  get(): unknown {
    return this.state.get();
  }
  clear(): void {
    this.state.clear();
  }
  merge(target: string, sources: readonly string[]): void {
    const values = drain(this.backend, sources, () => {
      const v = this.state.get();
      this.state.clear();
      return v;
    });
    this.backend.setCurrentNamespace(target);
    for (const v of values) this.state.add(v);
  }
}

class AggregatedContents implements WindowContents {
  private readonly state: ReducingState<unknown> & AccumulatorAccess<unknown>;
  constructor(
    private readonly backend: KeyedStateBackend,
    private readonly fn: AggregateFunction<unknown, unknown, unknown>,
  ) {
    this.state = backend.getAggregatingState(
      new AggregatingStateDescriptor(CONTENTS, fn),
    ) as unknown as ReducingState<unknown> & AccumulatorAccess<unknown>;
  }
  add(value: unknown): void {
    this.state.add(value);
  }
  /** The accumulator: the window function reads the result through `getResult`. */
  get(): unknown {
    return this.state.getAccumulator();
  }
  clear(): void {
    this.state.clear();
  }
  merge(target: string, sources: readonly string[]): void {
    const merge = this.fn.merge;
    if (merge === undefined) {
      throw new Error(
        "merging windows (sessions) need AggregateFunction.merge to combine accumulators",
      );
    }
    const accs = drain(this.backend, sources, () => {
      const acc = this.state.getAccumulator();
      this.state.clear();
      return acc;
    });
    this.backend.setCurrentNamespace(target);
    let acc = this.state.getAccumulator();
    for (const a of accs) acc = acc === undefined ? a : merge(acc, a);
    if (acc !== undefined) this.state.setAccumulator(acc);
  }
}

/** The elements; with their timestamps when `timestamped` (evictors need both). */
class ListContents implements WindowContents {
  private readonly state: ListState<unknown>;
  constructor(private readonly backend: KeyedStateBackend, private readonly timestamped: boolean) {
    this.state = backend.getListState(new ListStateDescriptor(CONTENTS));
  }
  add(value: unknown, timestamp: number): void {
    if (!this.timestamped) this.state.add(value);
    else this.state.add(timestamp === timestamp ? { value, timestamp } : { value });
  }
  /** A fresh array of the elements (timestamped values when `timestamped`). */
  get(): unknown {
    const elements = this.state.get();
    return elements.length === 0 ? undefined : elements;
  }
  clear(): void {
    this.state.clear();
  }
  /** Replaces the elements (those an evictor kept). */
  update(elements: TimestampedValue<unknown>[]): void {
    this.state.update(elements);
  }
  merge(target: string, sources: readonly string[]): void {
    const lists = drain(this.backend, sources, () => {
      const l = this.state.get();
      this.state.clear();
      return l;
    });
    this.backend.setCurrentNamespace(target);
    for (const l of lists) this.state.addAll(l);
  }
}

export type { ListContents };
