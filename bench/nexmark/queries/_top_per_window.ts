/**
 * The second stage of a two-phase "top per window" (q5, q7): stage one
 * aggregates per bucket and window and tags each partial top with its
 * window's end (`withWindowEnd`); this stage, keyed by window end, merges the
 * partial tops and emits the window's rows once the watermark reaches its
 * last millisecond (every bucket of the window has reported by then).
 * @module
 */

import {
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type ProcessWindowFunction,
  type RuntimeContext,
  type TimeWindow,
  type ValueState,
  ValueStateDescriptor,
} from "spate";
import type { Row } from "./query.ts";

/** A partial top of the window that ends at `windowEnd`. */
export type PartialTop<T> = [windowEnd: number, top: T];

/** Tags a window's aggregate with the window's end (the window function of stage one). */
export function withWindowEnd<T>(): ProcessWindowFunction<T, PartialTop<T>, number, TimeWindow> {
  return {
    process(_bucket, ctx, [top], out) {
      out.collect([ctx.window.end, top]);
    },
  };
}

/** Keyed by window end: merges the window's partial tops, then emits its rows. */
export class TopPerWindow<T> implements KeyedProcessFunction<number, PartialTop<T>, Row> {
  private top!: ValueState<T>;

  /**
   * @param merge the top of two partial tops (may reuse either)
   * @param rows emits the rows of a window's final top
   */
  constructor(
    private readonly merge: (a: T, b: T) => T,
    private readonly rows: (windowEnd: number, top: T, out: Collector<Row>) => void,
  ) {}

  open(ctx: RuntimeContext) {
    this.top = ctx.getState(new ValueStateDescriptor<T>("top"));
  }

  processElement([windowEnd, partial]: PartialTop<T>, ctx: KeyedProcessContext<number>) {
    const top = this.top.value();
    if (top === undefined) {
      this.top.update(partial);
      ctx.timerService().registerEventTimeTimer(windowEnd - 1);
    } else this.top.update(this.merge(top, partial));
  }

  onTimer(_time: number, ctx: OnTimerContext<number>, out: Collector<Row>) {
    const top = this.top.value();
    if (top === undefined) return;
    this.rows(ctx.getCurrentKey(), top, out);
    this.top.clear();
  }
}
