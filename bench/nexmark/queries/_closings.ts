/**
 * The auction closings that Nexmark q4 and q6 share.
 *
 * The closing price of an auction is its highest bid with `dateTime` in
 * [auction.dateTime, auction.expires], both ends included, whatever the
 * reserve (the suite's SQL: `B.dateTime BETWEEN A.dateTime AND A.expires`,
 * `MAX(B.price)`, an inner join, so an auction without such a bid has no
 * closing). It is known once event time reaches `expires`: an event-time
 * timer there emits it, timestamped `expires`. `InClosingOrder` then folds
 * closings in event-time order, and `rawClosings` is the same as one loop.
 * @module
 */

import type {
  Collector,
  DataStream,
  KeyedProcessContext,
  KeyedProcessFunction,
  MapState,
  OnTimerContext,
  RuntimeContext,
  ValueState,
} from "spate";
import { MapStateDescriptor, ValueStateDescriptor } from "spate";
import { MinHeap } from "../../../core/time/_min_heap.ts";
import { AUCTION, type Auction, BID, type NexmarkEvent } from "../model.ts";
import type { Row } from "./query.ts";

/** An auction's closing: its highest bid price within its lifetime. */
export interface Closing {
  readonly auction: number;
  readonly seller: number;
  readonly category: number;
  /** When the auction closed: its expiry, the event time the closing carries. */
  readonly expires: number;
  readonly price: number;
}

/**
 * An open auction and its highest bid so far (-Infinity before the first):
 * what the join needs of an auction, so the exchange carries no more.
 */
export interface OpenAuction {
  readonly id: number;
  readonly seller: number;
  readonly category: number;
  readonly dateTime: number;
  readonly expires: number;
  price: number;
}

/** What the join needs of a bid. */
export interface BidPrice {
  readonly auction: number;
  readonly price: number;
  readonly dateTime: number;
}

/** The join's input: auctions and bids in one stream, keyed by auction id. */
export type AuctionOrBid = OpenAuction | BidPrice;

/** An open auction is the one record of the join (input or state) with an expiry. */
const isAuction = (r: AuctionOrBid | JoinState): r is OpenAuction =>
  (r as OpenAuction).expires !== undefined;

/** The join's key. */
export const auctionIdOf = (r: AuctionOrBid): number => isAuction(r) ? r.id : r.auction;

/**
 * A key's bids that came before its auction (or after it closed): flat
 * [dateTime, price] pairs, and when they are next cleaned up.
 */
interface EarlyBids {
  readonly bids: number[];
  cleanupAt: number;
}

/** What the join keeps per auction id: the open auction, or the bids waiting for it. */
type JoinState = OpenAuction | EarlyBids;

const openAuction = (a: Auction): OpenAuction => ({
  id: a.id,
  seller: a.seller,
  category: a.category,
  dateTime: a.dateTime,
  expires: a.expires,
  price: -Infinity,
});

/** Raises `a`'s highest price by a bid at `dateTime`, if the bid is within its lifetime. */
function bidOn(a: OpenAuction, dateTime: number, price: number): boolean {
  if (dateTime < a.dateTime || dateTime > a.expires || price <= a.price) return false;
  a.price = price;
  return true;
}

const closingOf = (a: OpenAuction): Closing => ({
  auction: a.id,
  seller: a.seller,
  category: a.category,
  expires: a.expires,
  price: a.price,
});

/**
 * Keyed by auction id: the auction's highest bid within its lifetime,
 * emitted when the watermark reaches its expiry. Bids before the auction
 * wait in state (they may come from another source subtask). One state
 * value per key holds either: a bid costs one read, and at parallelism 2 a
 * quarter of the bids come before their auction (the other source subtask's
 * batches are still in flight).
 */
export class WinningBids implements KeyedProcessFunction<number, AuctionOrBid, Closing> {
  private state!: ValueState<JoinState>;

  open(ctx: RuntimeContext) {
    this.state = ctx.getState(new ValueStateDescriptor<JoinState>("auction or early bids"));
  }

  processElement(r: AuctionOrBid, ctx: KeyedProcessContext<number>) {
    if (isAuction(r)) this.onAuction(r, ctx);
    else this.onBid(r, ctx);
  }

  private onAuction(open: OpenAuction, ctx: KeyedProcessContext<number>) {
    const s = this.state.value();
    if (s !== undefined && !isAuction(s)) {
      const bids = s.bids;
      for (let i = 0; i < bids.length; i += 2) bidOn(open, bids[i], bids[i + 1]);
      // Its cleanup timer stays: it finds the auction open and does nothing.
    }
    this.state.update(open);
    ctx.timerService().registerEventTimeTimer(open.expires);
  }

  private onBid(b: BidPrice, ctx: KeyedProcessContext<number>) {
    const s = this.state.value();
    if (s === undefined) {
      // Before its auction, or after it closed (then it is past the expiry). Once the
      // watermark passes the bid, its auction, should it still come, opened after it: one
      // cleanup timer per key drops such bids (not one per bid).
      this.state.update({ bids: [b.dateTime, b.price], cleanupAt: b.dateTime });
      ctx.timerService().registerEventTimeTimer(b.dateTime);
    } else if (isAuction(s)) {
      if (bidOn(s, b.dateTime, b.price)) this.state.update(s);
    } else {
      // Bids of one millisecond are all inside an auction's lifetime or all outside it, so
      // only the highest of them counts. The early bids of a hot auction are mostly such runs
      // (at parallelism 2, 87% of them had the dateTime of the bid before).
      const bids = s.bids, last = bids.length - 2;
      if (bids[last] !== b.dateTime) bids.push(b.dateTime, b.price);
      else if (b.price > bids[last + 1]) bids[last + 1] = b.price;
      else return;
      this.state.update(s);
    }
  }

  onTimer(time: number, ctx: OnTimerContext<number>, out: Collector<Closing>) {
    const s = this.state.value();
    if (s === undefined) return;
    if (isAuction(s)) {
      if (s.expires > time) return; // an early bids' cleanup, before the auction came
      if (s.price !== -Infinity) out.collect(closingOf(s));
      this.state.clear();
      return;
    }
    if (time < s.cleanupAt) return;
    const kept: number[] = [];
    let next = Infinity;
    for (let i = 0; i < s.bids.length; i += 2) {
      if (s.bids[i] <= time) continue;
      kept.push(s.bids[i], s.bids[i + 1]);
      next = Math.min(next, s.bids[i]);
    }
    if (kept.length === 0) {
      this.state.clear();
      return;
    }
    this.state.update({ bids: kept, cleanupAt: next });
    ctx.timerService().registerEventTimeTimer(next);
  }
}

/**
 * The closing of every auction that had a bid within its lifetime,
 * timestamped with its expiry.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * import { nexmarkEvents } from "../source.ts";
 * import { closings } from "./_closings.ts";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * closings(nexmarkEvents(env, 100_000)).print();
 * ```
 */
export function closings(events: DataStream<NexmarkEvent>): DataStream<Closing> {
  // One stream, not two connected ones: a channel keeps its producer's order, so an
  // auction reaches the join before the bids its source subtask generated after it.
  // Two inputs would each batch on their own, and the auctions (3 events in 50) fill
  // their batches slowly: most bids then came before their auction and waited in state.
  return events.flatMap((e: NexmarkEvent, out: Collector<AuctionOrBid>) => {
    if (e.type === BID) {
      out.collect({ auction: e.bid.auction, price: e.bid.price, dateTime: e.bid.dateTime });
    } else if (e.type === AUCTION) out.collect(openAuction(e.auction));
  }).name("Auctions and bids")
    .keyBy(auctionIdOf)
    .process(new WinningBids())
    .name("Winning bids");
}

/**
 * Keyed by a field of the closings: hands the key's closings to `fold` in
 * order of (expires, auction id), each once the watermark has passed its
 * expiry (every closing of that time has arrived by then).
 *
 * @example
 * ```ts
 * import type { Collector, RuntimeContext } from "spate";
 * import { InClosingOrder } from "./_closings.ts";
 * import type { Row } from "./query.ts";
 * // (key, price) of each closing, in event-time order.
 * class Prices extends InClosingOrder {
 *   protected openFold(_ctx: RuntimeContext) {}
 *   protected fold(key: number, price: number, out: Collector<Row>) {
 *     out.collect([key, price]);
 *   }
 * }
 * ```
 */
export abstract class InClosingOrder implements KeyedProcessFunction<number, Closing, Row> {
  private pending!: MapState<number, [auction: number, price: number][]>;

  open(ctx: RuntimeContext) {
    this.pending = ctx.getMapState(
      new MapStateDescriptor<number, [number, number][]>("pending closings"),
    );
    this.openFold(ctx);
  }

  processElement(c: Closing, ctx: KeyedProcessContext<number>) {
    const due = this.pending.get(c.expires);
    if (due === undefined) this.pending.put(c.expires, [[c.auction, c.price]]);
    else {
      due.push([c.auction, c.price]);
      this.pending.put(c.expires, due);
    }
    ctx.timerService().registerEventTimeTimer(c.expires);
  }

  onTimer(time: number, ctx: OnTimerContext<number>, out: Collector<Row>) {
    const due = this.pending.get(time);
    if (due === undefined) return;
    this.pending.remove(time);
    if (due.length > 1) due.sort((x, y) => x[0] - y[0]);
    const key = ctx.getCurrentKey();
    for (const [, price] of due) this.fold(key, price, out);
  }

  /** Gets the state the fold keeps. */
  protected abstract openFold(ctx: RuntimeContext): void;
  /** Folds the next closing price of `key` (its state is current) and emits its row. */
  protected abstract fold(key: number, price: number, out: Collector<Row>): void;
}

/**
 * The closings as one plain loop (the raw side of q4 and q6): calls
 * `onClosing` with every closing, in order of (expires, auction id). Event
 * time is the highest timestamp so far - 1 (the watermark of the job's
 * sources), taken after each batch.
 *
 * @example
 * ```ts
 * import { DEFAULT_NEXMARK_CONFIG, eventBatches } from "../generator.ts";
 * import { rawClosings } from "./_closings.ts";
 * let closed = 0;
 * rawClosings(eventBatches(DEFAULT_NEXMARK_CONFIG, 0, 100_000, 1024), () => closed++);
 * ```
 */
export function rawClosings(
  batches: Iterable<readonly NexmarkEvent[]>,
  onClosing: (c: Closing) => void,
): void {
  const open = new Map<number, OpenAuction>();
  // Open auctions by (expires, id), earliest first.
  const expiring = new MinHeap<OpenAuction>((x, y) =>
    x.expires < y.expires || (x.expires === y.expires && x.id < y.id)
  );
  const early = new Map<number, [dateTime: number, price: number][]>();
  let maxTime = -Infinity;
  const close = (watermark: number) => {
    while (expiring.size > 0 && expiring.peek()!.expires <= watermark) {
      const a = expiring.pop()!;
      open.delete(a.id);
      if (a.price !== -Infinity) onClosing(closingOf(a));
    }
    for (const [id, bids] of early) {
      const kept = bids.filter(([dateTime]) => dateTime > watermark);
      if (kept.length === 0) early.delete(id);
      else if (kept.length < bids.length) early.set(id, kept);
    }
  };
  for (const batch of batches) {
    for (const e of batch) {
      if (e.type === BID) {
        const b = e.bid;
        if (b.dateTime > maxTime) maxTime = b.dateTime;
        const a = open.get(b.auction);
        if (a !== undefined) bidOn(a, b.dateTime, b.price);
        else {
          const bids = early.get(b.auction);
          if (bids === undefined) early.set(b.auction, [[b.dateTime, b.price]]);
          else bids.push([b.dateTime, b.price]);
        }
      } else if (e.type === AUCTION) {
        const a = openAuction(e.auction);
        if (a.dateTime > maxTime) maxTime = a.dateTime;
        const bids = early.get(a.id);
        if (bids !== undefined) {
          for (const [dateTime, price] of bids) bidOn(a, dateTime, price);
          early.delete(a.id);
        }
        open.set(a.id, a);
        expiring.push(a);
      } else if (e.person.dateTime > maxTime) maxTime = e.person.dateTime;
    }
    close(maxTime - 1);
  }
  close(Infinity);
}
