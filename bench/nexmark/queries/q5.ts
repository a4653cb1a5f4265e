/**
 * Nexmark q5, hot items: per sliding window of 10 s (every 2 s) of event
 * time, the auction(s) with the most bids, as (window end, auction, bids);
 * every auction tied for the most is reported, as the suite's SQL join on
 * `num >= maxn` does. Stage one, keyed by one of `PARTIAL_BUCKETS` buckets
 * of auctions (every bid of an auction lands in its bucket), counts the bids
 * of each auction of the bucket per window incrementally and sends the
 * bucket's hottest; stage two, keyed by window end, keeps the highest count
 * and its auctions and reports them once the watermark reaches the window's
 * last millisecond (every bucket of the window has reported by then). Buckets
 * rather than auctions keep the windowed state to a few entries per window
 * (a planner's local aggregation), not one per auction.
 * @module
 */

import { type AggregateFunction, type Collector, SlidingEventTimeWindows } from "spate";
import { BID, eventTime, type NexmarkEvent } from "../model.ts";
import type { NexmarkQuery } from "./query.ts";
import { TopPerWindow, withWindowEnd } from "./_top_per_window.ts";

const WINDOW_SIZE_MS = 10_000;
const WINDOW_SLIDE_MS = 2_000;

/** Partial counts per window: enough buckets to spread over any parallelism up to 128. */
const PARTIAL_BUCKETS = 128;

/** The highest count of a window so far, and the auctions that have it. */
type Hottest = [bids: number, auctions: number[]];

/** Folds one auction's count into `top` (in place, unless it starts anew); returns it. */
function hottest(top: Hottest | undefined, auction: number, bids: number): Hottest {
  if (top === undefined || bids > top[0]) return [bids, [auction]];
  if (bids === top[0]) top[1].push(auction);
  return top;
}

/** A bucket's counts per auction in one window; its result is the bucket's hottest. */
const countBids: AggregateFunction<number, Map<number, number>, Hottest> = {
  createAccumulator: () => new Map(),
  add(auction, counts) {
    counts.set(auction, (counts.get(auction) ?? 0) + 1);
    return counts;
  },
  getResult(counts) {
    let top: Hottest | undefined;
    for (const [auction, bids] of counts) top = hottest(top, auction, bids);
    return top!;
  },
  // Lets windows share slices and pre-aggregate before the keyBy (into `a`, as Flink allows).
  merge(a, b) {
    for (const [auction, bids] of b) a.set(auction, (a.get(auction) ?? 0) + bids);
    return a;
  },
};

/** The hotter of two partial tops: the higher count, or both auction lists on a tie. */
function mergeHottest(a: Hottest, b: Hottest): Hottest {
  return a[0] > b[0] ? a : b[0] > a[0] ? b : [a[0], [...a[1], ...b[1]]];
}

/** Keyed by window end: the auctions with the most bids in that window. */
const hotItems = () =>
  new TopPerWindow<Hottest>(mergeHottest, (windowEnd, [bids, auctions], out) => {
    for (const auction of auctions) out.collect([windowEnd, auction, bids]);
  });

export const q5: NexmarkQuery = {
  name: "q5",
  description: "hot items: (window end, auction, bids) of the most bid-on auction(s) per " +
    "10 s window sliding by 2 s",
  build: (events) =>
    events.flatMap((e: NexmarkEvent, out: Collector<number>) => {
      if (e.type === BID) out.collect(e.bid.auction);
    }).name("Bid auctions")
      .keyBy((auction) => auction % PARTIAL_BUCKETS)
      .window(SlidingEventTimeWindows.of(WINDOW_SIZE_MS, WINDOW_SLIDE_MS))
      .aggregate(countBids, withWindowEnd<Hottest>()).name("Hottest per auction bucket and window")
      .keyBy(([windowEnd]) => windowEnd)
      .process(hotItems()).name("Q5 hottest per window"),
  raw(batches, emit) {
    // Window start -> auction -> bids.
    const windows = new Map<number, Map<number, number>>();
    let maxTime = -Infinity;
    const fire = (watermark: number) => {
      for (const [start, counts] of windows) {
        const end = start + WINDOW_SIZE_MS;
        if (end - 1 > watermark) continue;
        let top: Hottest | undefined;
        for (const [auction, bids] of counts) top = hottest(top, auction, bids);
        for (const auction of top![1]) emit([end, auction, top![0]]);
        windows.delete(start);
      }
    };
    for (const batch of batches) {
      for (const e of batch) {
        const t = eventTime(e);
        if (t > maxTime) maxTime = t;
        if (e.type !== BID) continue;
        const lastStart = t - (((t % WINDOW_SLIDE_MS) + WINDOW_SLIDE_MS) % WINDOW_SLIDE_MS);
        for (let start = lastStart; start > t - WINDOW_SIZE_MS; start -= WINDOW_SLIDE_MS) {
          let counts = windows.get(start);
          if (counts === undefined) windows.set(start, counts = new Map());
          counts.set(e.bid.auction, (counts.get(e.bid.auction) ?? 0) + 1);
        }
      }
      fire(maxTime - 1);
    }
    fire(Infinity);
  },
};
