/**
 * Nexmark q6, average selling price by seller: per seller, the average
 * closing price of its last 10 closed auctions, updated at each closing (the
 * suite's text; its SQL's `ROWS BETWEEN 10 PRECEDING AND CURRENT ROW` would
 * take 11). Closing prices are those of q4 (see `_closings.ts`); a seller's closings fold
 * in order of (expires, auction id), once the watermark has passed them, so
 * the rows do not depend on the parallelism or the interleaving of sources.
 * @module
 */

import { type Collector, type RuntimeContext, type ValueState, ValueStateDescriptor } from "spate";
import { closings, InClosingOrder, rawClosings } from "./_closings.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** How many of a seller's latest closings the average covers. */
const LAST_CLOSINGS = 10;

/** Appends `price` to a seller's latest prices (oldest first, at most LAST_CLOSINGS); returns the average. */
function addPrice(latest: number[], price: number): number {
  latest.push(price);
  if (latest.length > LAST_CLOSINGS) latest.shift();
  let sum = 0;
  for (const p of latest) sum += p;
  return sum / latest.length;
}

/** Keyed by seller: the average of its latest closing prices. */
class AverageSellingPrice extends InClosingOrder {
  private latest!: ValueState<number[]>;

  protected openFold(ctx: RuntimeContext) {
    this.latest = ctx.getState(new ValueStateDescriptor<number[]>("latest prices"));
  }

  protected fold(seller: number, price: number, out: Collector<Row>) {
    const latest = this.latest.value() ?? [];
    const average = addPrice(latest, price);
    this.latest.update(latest);
    out.collect([seller, average]);
  }
}

export const q6: NexmarkQuery = {
  name: "q6",
  description: "average selling price by seller: (seller, average of its last 10 closing " +
    "prices), one row per closed auction in event-time order",
  build: (events) =>
    closings(events)
      .keyBy((c) => c.seller)
      .process(new AverageSellingPrice())
      .name("Q6 average per seller"),
  raw(batches, emit) {
    const latest = new Map<number, number[]>();
    rawClosings(batches, (c) => {
      let prices = latest.get(c.seller);
      if (prices === undefined) latest.set(c.seller, prices = []);
      emit([c.seller, addPrice(prices, c.price)]);
    });
  },
};
