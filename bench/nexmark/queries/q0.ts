/** Nexmark q0, pass-through: every bid as it is (measures the framework's own cost). @module */

import { type BidEvent, isBid } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";

/** A bid's fields as a row. */
function bidRow(e: BidEvent): Row {
  const b = e.bid;
  return [b.auction, b.bidder, b.price, b.channel, b.url, b.dateTime, b.extra];
}

export const q0: NexmarkQuery = {
  name: "q0",
  description: "pass-through: every bid, all fields",
  build: (events) => events.filter(isBid).name("Bids").map(bidRow).name("Q0"),
  raw(batches, emit) {
    for (const batch of batches) {
      for (const e of batch) if (isBid(e)) emit(bidRow(e));
    }
  },
};
