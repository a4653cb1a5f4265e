/**
 * Nexmark q5, hot items: per sliding window of 10 s (every 2 s) of event
 * time, the auction(s) with the most bids, as (window end, auction, bids);
 * every auction tied for the most is reported, as the suite's SQL join on
 * `num >= maxn` does. Stage one counts each auction's bids per window
 * incrementally; stage two, keyed by window end, keeps the highest count and
 * its auctions and reports them once the watermark reaches the window's last
 * millisecond (every count of the window has arrived by then).
 * @module
 */

import {
  type AggregateFunction,
  type Collector,
  type KeyedProcessContext,
  type KeyedProcessFunction,
  type OnTimerContext,
  type ProcessWindowFunction,
  type RuntimeContext,
  SlidingEventTimeWindows,
  type TimeWindow,
  type ValueState,
  ValueStateDescriptor,
} from "spate";
import { BID, eventTime, type NexmarkEvent } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

const WINDOW_SIZE_MS = 10_000;
const WINDOW_SLIDE_MS = 2_000;

/** The bids of one auction in the window that ends at `windowEnd`. */
type AuctionBids = [windowEnd: number, auction: number, bids: number];

const countBids: AggregateFunction<number, number, number> = {
  createAccumulator: () => 0,
  add: (_bid, n) => n + 1,
  getResult: (n) => n,
  merge: (a, b) => a + b,
};

const withWindowEnd: ProcessWindowFunction<number, AuctionBids, number, TimeWindow> = {
  process(auction, ctx, [bids], out) {
    out.collect([ctx.window.end, auction, bids]);
  },
};

/** The highest count of a window so far, and the auctions that have it. */
type Hottest = [bids: number, auctions: number[]];

/** Folds one auction's count into `top` (in place, unless it starts anew); returns it. */
function hottest(top: Hottest | undefined, auction: number, bids: number): Hottest {
  if (top === undefined || bids > top[0]) return [bids, [auction]];
  if (bids === top[0]) top[1].push(auction);
  return top;
}

/** Keyed by window end: the auctions with the most bids in that window. */
class HotItems implements KeyedProcessFunction<number, AuctionBids, Row> {
  private top!: ValueState<Hottest>;

  open(ctx: RuntimeContext) {
    this.top = ctx.getState(new ValueStateDescriptor<Hottest>("hottest"));
  }

  processElement([windowEnd, auction, bids]: AuctionBids, ctx: KeyedProcessContext<number>) {
    const top = this.top.value();
    if (top !== undefined && bids < top[0]) return;
    this.top.update(hottest(top, auction, bids));
    ctx.timerService().registerEventTimeTimer(windowEnd - 1);
  }

  onTimer(_time: number, ctx: OnTimerContext<number>, out: Collector<Row>) {
    const top = this.top.value();
    if (top === undefined) return;
    const windowEnd = ctx.getCurrentKey();
    for (const auction of top[1]) out.collect([windowEnd, auction, top[0]]);
    this.top.clear();
  }
}

export const q5: NexmarkQuery = {
  name: "q5",
  description: "hot items: (window end, auction, bids) of the most bid-on auction(s) per " +
    "10 s window sliding by 2 s",
  build: (events) =>
    events.flatMap((e: NexmarkEvent, out: Collector<number>) => {
      if (e.type === BID) out.collect(e.bid.auction);
    }).name("Bid auctions")
      .keyBy((auction) => auction)
      .window(SlidingEventTimeWindows.of(WINDOW_SIZE_MS, WINDOW_SLIDE_MS))
      .aggregate(countBids, withWindowEnd).name("Bids per auction and window")
      .keyBy(([windowEnd]) => windowEnd)
      .process(new HotItems()).name("Q5 hottest per window"),
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
