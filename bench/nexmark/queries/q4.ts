/**
 * Nexmark q4, average price per category: the running average of the
 * closing prices (see `_closings.ts`) per category, emitted in event-time
 * order, one row per closing: a category's closings wait in state for the
 * watermark to pass their expiry, then fold in order of (expires, auction
 * id). So neither the parallelism nor the interleaving of the source
 * subtasks changes a row.
 * @module
 */

import type { Collector, RuntimeContext, ValueState } from "spate";
import { ValueStateDescriptor } from "spate";
import { closings, InClosingOrder, rawClosings } from "./_closings.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** Keyed by category: the running average of its closing prices. */
class AveragePrice extends InClosingOrder {
  private sumAndCount!: ValueState<[sum: number, count: number]>;

  protected openFold(ctx: RuntimeContext) {
    this.sumAndCount = ctx.getState(new ValueStateDescriptor<[number, number]>("sum and count"));
  }

  protected fold(category: number, price: number, out: Collector<Row>) {
    const [sum, count] = this.sumAndCount.value() ?? [0, 0];
    this.sumAndCount.update([sum + price, count + 1]);
    out.collect([category, (sum + price) / (count + 1)]);
  }
}

export const q4: NexmarkQuery = {
  name: "q4",
  description: "average price per category: (category, running average of closing prices), " +
    "one row per closed auction in event-time order",
  build: (events) =>
    closings(events)
      .keyBy((c) => c.category)
      .process(new AveragePrice())
      .name("Q4 average per category"),
  raw(batches, emit) {
    const sums = new Map<number, [sum: number, count: number]>();
    rawClosings(batches, (c) => {
      const [sum, count] = sums.get(c.category) ?? [0, 0];
      sums.set(c.category, [sum + c.price, count + 1]);
      emit([c.category, (sum + c.price) / (count + 1)]);
    });
  },
};
