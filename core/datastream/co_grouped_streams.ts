/**
 * Window joins (after Flink's CoGroupedStreams and JoinedStreams): two
 * streams keyed by their own key selectors, cut into the same windows; per key
 * and window, coGroup gets both sides' elements and join each pair. As in
 * Flink, both inputs are tagged, unioned and keyed, so one window operator
 * holds the elements of both; its watermark is the lower of the two inputs'.
 * @module
 */

import type { Collector, KeySelector } from "../api/functions.ts";
import type { Window } from "../api/window.ts";
import type { CoGroupFunction, FlatJoinFunction, JoinFunction } from "../api/window_functions.ts";
import type { Evictor } from "../windows/evictors.ts";
import type { Trigger } from "../windows/triggers.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import type { DataStream } from "./data_stream.ts";

/** An element of either input, tagged with the input it came from. */
type Tagged<A, B> = readonly [0, A] | readonly [1, B];

/** The keys of both inputs, then the windows: what `where(...).equalTo(...).window(...)` builds. */
interface WindowSpec<A, B, K, W extends Window> {
  readonly first: DataStream<A>;
  readonly second: DataStream<B>;
  readonly key1: KeySelector<A, K>;
  readonly key2: KeySelector<B, K>;
  readonly assigner: WindowAssigner<unknown, W>;
  trigger?: Trigger<unknown, W>;
  evictor?: Evictor<unknown, W>;
  allowedLatenessMs?: number;
}

/** Runs `fn` on both sides' elements of each key and window. */
function coGroupWindows<A, B, K, W extends Window, R>(
  spec: WindowSpec<A, B, K, W>,
  name: string,
  fn: CoGroupFunction<A, B, R>,
): DataStream<R> {
  const tagged1 = spec.first.map((a): Tagged<A, B> => [0, a]).name(`${name}: Input 1`);
  const tagged2 = spec.second.map((b): Tagged<A, B> => [1, b]).name(`${name}: Input 2`);
  const { key1, key2 } = spec;
  let windowed = tagged1.union(tagged2)
    .keyBy((t) => t[0] === 0 ? key1(t[1]) : key2(t[1]))
    .window(spec.assigner as WindowAssigner<Tagged<A, B>, W>);
  if (spec.trigger) windowed = windowed.trigger(spec.trigger);
  if (spec.evictor) windowed = windowed.evictor(spec.evictor);
  if (spec.allowedLatenessMs) windowed = windowed.allowedLateness(spec.allowedLatenessMs);
  return windowed.apply<R>((_key, _window, elements, out) => {
    const first: A[] = [];
    const second: B[] = [];
    for (const t of elements) {
      if (t[0] === 0) first.push(t[1]);
      else second.push(t[1]);
    }
    fn(first, second, out);
  }).name(name);
}

/** Sets what a window join evaluates: windows, then trigger, evictor and lateness. */
class WindowedJoinBase<A, B, K, W extends Window> {
  constructor(protected readonly spec: WindowSpec<A, B, K, W>) {}

  /** Replaces the assigner's default trigger. */
  trigger(trigger: Trigger<unknown, W>): this {
    this.spec.trigger = trigger;
    return this;
  }
  /** Removes elements before the function runs. */
  evictor(evictor: Evictor<unknown, W>): this {
    this.spec.evictor = evictor;
    return this;
  }
  /** Keeps event-time windows `ms` after their end for late elements. */
  allowedLateness(ms: number): this {
    if (!(Number.isSafeInteger(ms) && ms >= 0)) {
      throw new RangeError(`allowedLateness must be a non-negative integer of ms, got ${ms}`);
    }
    this.spec.allowedLatenessMs = ms;
    return this;
  }
}

/** A coGroup with keys and windows: `apply` completes it. */
export class WindowedCoGroup<A, B, K, W extends Window> extends WindowedJoinBase<A, B, K, W> {
  /** Calls `fn` with both inputs' elements of each key and window (one side may be empty). */
  apply<R>(fn: CoGroupFunction<A, B, R>): DataStream<R> {
    return coGroupWindows(this.spec, "Window CoGroup", fn);
  }
}

/** A join with keys and windows: `apply` completes it. */
export class WindowedJoin<A, B, K, W extends Window> extends WindowedJoinBase<A, B, K, W> {
  /** Emits `fn(a, b)` for each pair of the same key in the same window. */
  apply<R>(fn: JoinFunction<A, B, R>): DataStream<R> {
    return coGroupWindows(this.spec, "Window Join", (first: A[], second: B[], out) => {
      for (const a of first) for (const b of second) out.collect(fn(a, b));
    });
  }
  /** Calls `fn(a, b, out)` for each pair of the same key in the same window. */
  flatApply<R>(fn: FlatJoinFunction<A, B, R>): DataStream<R> {
    return coGroupWindows(this.spec, "Window Join", (first: A[], second: B[], out) => {
      for (const a of first) for (const b of second) fn(a, b, out as Collector<R>);
    });
  }
}

/**
 * `first.coGroup(second)`: per key and window, a function of both inputs'
 * elements.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment, TumblingEventTimeWindows } from "spate";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const orders = env.fromElements({ user: "a", amount: 3 });
 * const clicks = env.fromElements({ user: "a", page: "/" });
 * orders.coGroup(clicks).where((o) => o.user).equalTo((c) => c.user)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .apply((os, cs, out) => out.collect({ orders: os.length, clicks: cs.length }));
 * ```
 */
export class CoGroupedStreams<A, B> {
  constructor(private readonly first: DataStream<A>, private readonly second: DataStream<B>) {}

  /** The first input's key; `equalTo` gives the second's, then `window` the windows. */
  where<K>(key1: KeySelector<A, K>) {
    return {
      equalTo: (key2: KeySelector<B, K>) => ({
        window: <W extends Window>(assigner: WindowAssigner<unknown, W>) =>
          new WindowedCoGroup<A, B, K, W>({
            first: this.first,
            second: this.second,
            key1,
            key2,
            assigner,
          }),
      }),
    };
  }
}

/** `first.join(second)`: per key and window, each pair of elements. */
export class JoinedStreams<A, B> {
  constructor(private readonly first: DataStream<A>, private readonly second: DataStream<B>) {}

  /** The first input's key; `equalTo` gives the second's, then `window` the windows. */
  where<K>(key1: KeySelector<A, K>) {
    return {
      equalTo: (key2: KeySelector<B, K>) => ({
        window: <W extends Window>(assigner: WindowAssigner<unknown, W>) =>
          new WindowedJoin<A, B, K, W>({
            first: this.first,
            second: this.second,
            key1,
            key2,
            assigner,
          }),
      }),
    };
  }
}
