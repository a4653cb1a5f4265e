/**
 * Nexmark q7, highest bid: per tumbling window of 10 s of event time, the
 * bid(s) with the highest price, as (auction, price, bidder, dateTime, window
 * end); every bid tied for the highest is reported, as the suite's SQL join
 * on `price = maxprice` does. A two-phase aggregation: stage one keeps the
 * highest bids per window of each of `PARTIAL_BUCKETS` buckets of auctions
 * incrementally (in parallel; a bucket rather than each auction, so the
 * partial state is a few entries per window, not one per auction, as a
 * planner's local aggregation would); stage two, keyed by window end, keeps
 * the highest of those and reports them once the watermark reaches the
 * window's last millisecond.
 * @module
 */

import { type AggregateFunction, type Collector, TumblingEventTimeWindows } from "spate";
import { BID, type Bid, eventTime, type NexmarkEvent } from "../model.ts";
import type { NexmarkQuery } from "./query.ts";
import { TopPerWindow, withWindowEnd } from "./_top_per_window.ts";

const WINDOW_SIZE_MS = 10_000;
/** Partial aggregates per window: enough buckets to spread over any parallelism up to 128. */
const PARTIAL_BUCKETS = 128;

/** The highest price seen and the bids at that price: [auction, bidder, dateTime] each. */
interface Highest {
  price: number;
  bids: [auction: number, bidder: number, dateTime: number][];
}

/** Adds one bid to `top` (in place); returns it. */
function addBid(top: Highest, auction: number, bidder: number, price: number, dateTime: number) {
  if (price > top.price) {
    top.price = price;
    top.bids = [[auction, bidder, dateTime]];
  } else if (price === top.price) top.bids.push([auction, bidder, dateTime]);
  return top;
}

/** Merges `b` into `a` (in place); returns it. */
function mergeHighest(a: Highest, b: Highest): Highest {
  if (b.price > a.price) return b;
  if (b.price === a.price) a.bids.push(...b.bids);
  return a;
}

/** What the query needs of a bid (all the exchange carries). */
type PricedBid = Pick<Bid, "auction" | "bidder" | "price" | "dateTime">;

const highestBids: AggregateFunction<PricedBid, Highest, Highest> = {
  createAccumulator: () => ({ price: -Infinity, bids: [] }),
  add: (b, top) => addBid(top, b.auction, b.bidder, b.price, b.dateTime),
  getResult: (top) => top,
  merge: mergeHighest,
};

/** Keyed by window end: the highest bids over all auctions of that window. */
const highestBid = () =>
  new TopPerWindow<Highest>(mergeHighest, (windowEnd, top, out) => {
    for (const [auction, bidder, dateTime] of top.bids) {
      out.collect([auction, top.price, bidder, dateTime, windowEnd]);
    }
  });

export const q7: NexmarkQuery = {
  name: "q7",
  description: "highest bid: (auction, price, bidder, dateTime, window end) of the " +
    "highest bid(s) per 10 s tumbling window",
  build: (events) =>
    events.flatMap((e: NexmarkEvent, out: Collector<PricedBid>) => {
      if (e.type !== BID) return;
      const b = e.bid;
      out.collect({ auction: b.auction, bidder: b.bidder, price: b.price, dateTime: b.dateTime });
    }).name("Bids")
      .keyBy((b) => b.auction % PARTIAL_BUCKETS)
      .window(TumblingEventTimeWindows.of(WINDOW_SIZE_MS))
      .aggregate(highestBids, withWindowEnd<Highest>()).name(
        "Highest bids per auction bucket and window",
      )
      .keyBy(([windowEnd]) => windowEnd)
      .process(highestBid()).name("Q7 highest per window"),
  raw(batches, emit) {
    const windows = new Map<number, Highest>(); // by window start
    let maxTime = -Infinity;
    const fire = (watermark: number) => {
      for (const [start, top] of windows) {
        const end = start + WINDOW_SIZE_MS;
        if (end - 1 > watermark) continue;
        for (const [auction, bidder, dateTime] of top.bids) {
          emit([auction, top.price, bidder, dateTime, end]);
        }
        windows.delete(start);
      }
    };
    for (const batch of batches) {
      for (const e of batch) {
        const t = eventTime(e);
        if (t > maxTime) maxTime = t;
        if (e.type !== BID) continue;
        const b = e.bid;
        const start = t - (((t % WINDOW_SIZE_MS) + WINDOW_SIZE_MS) % WINDOW_SIZE_MS);
        let top = windows.get(start);
        if (top === undefined) windows.set(start, top = highestBids.createAccumulator());
        addBid(top, b.auction, b.bidder, b.price, b.dateTime);
      }
      fire(maxTime - 1);
    }
    fire(Infinity);
  },
};
