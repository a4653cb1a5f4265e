/**
 * The Nexmark data model (after the Nexmark benchmark and its Flink and Beam
 * implementations): an online auction where people register, open auctions,
 * and bid. One stream carries all three kinds, tagged by `type`. Times are
 * epoch milliseconds of event time.
 * @module
 */

export interface Person {
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly channel: string;
  readonly url: string;
  readonly dateTime: number;
  readonly extra: string;
}

export const PERSON = 0;
export const AUCTION = 1;
export const BID = 2;

/** One Nexmark event: exactly one of person, auction and bid, as `type` says. */
export type NexmarkEvent =
  | { readonly type: typeof PERSON; readonly person: Person }
  | { readonly type: typeof AUCTION; readonly auction: Auction }
  | { readonly type: typeof BID; readonly bid: Bid };

/** A bid event. */
export type BidEvent = Extract<NexmarkEvent, { readonly type: typeof BID }>;

/** True for bid events (a type guard: `events.filter(isBid)` is a stream of bid events). */
export function isBid(e: NexmarkEvent): e is BidEvent {
  return e.type === BID;
}

/** The event time of an event. */
export function eventTime(e: NexmarkEvent): number {
  return e.type === BID
    ? e.bid.dateTime
    : e.type === AUCTION
    ? e.auction.dateTime
    : e.person.dateTime;
}
