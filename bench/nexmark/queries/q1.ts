/** Nexmark q1, currency conversion: bid prices from dollars to euros. @module */

import { type BidEvent, isBid } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** The exchange rate of the Nexmark suite. */
const DOLLAR_TO_EURO = 0.908;

function euroRow(e: BidEvent): Row {
  const b = e.bid;
  return [b.auction, b.bidder, DOLLAR_TO_EURO * b.price, b.dateTime, b.extra];
}

export const q1: NexmarkQuery = {
  name: "q1",
  description: "currency conversion: (auction, bidder, 0.908 * price, dateTime, extra) per bid",
  build: (events) => events.filter(isBid).name("Bids").map(euroRow).name("Q1"),
  raw(batches, emit) {
    for (const batch of batches) {
      for (const e of batch) if (isBid(e)) emit(euroRow(e));
    }
  },
};
