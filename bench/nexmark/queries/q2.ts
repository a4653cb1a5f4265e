/** Nexmark q2, selection: the bids on a fixed set of auctions. @module */

import { BID, type NexmarkEvent } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** Auctions whose id is a multiple of this are selected (as in the Nexmark suite). */
const AUCTION_MODULUS = 123;

function isSelected(e: NexmarkEvent): boolean {
  return e.type === BID && e.bid.auction % AUCTION_MODULUS === 0;
}

function priceRow(e: NexmarkEvent): Row {
  const b = (e as Extract<NexmarkEvent, { type: typeof BID }>).bid;
  return [b.auction, b.price];
}

export const q2: NexmarkQuery = {
  name: "q2",
  description: "selection: (auction, price) of bids where auction % 123 = 0",
  build: (events) => events.filter(isSelected).name("Selected bids").map(priceRow).name("Q2"),
  raw(batches, emit) {
    for (const batch of batches) {
      for (const e of batch) if (isSelected(e)) emit(priceRow(e));
    }
  },
};
