import assert from "node:assert/strict";
import { decode } from "cbor-x";
import type { StateEntries } from "../../../core/state/keyed_state_backend.ts";
import { KeyedProcessOperator } from "../../../core/operators/keyed_process.ts";
import { OperatorHarness } from "../../../tests/_helpers/operator_harness.ts";
import {
  auctionIdOf,
  type AuctionOrBid,
  type BidPrice,
  type Closing,
  type OpenAuction,
  WinningBids,
} from "./_closings.ts";

const auction = (id: number, dateTime: number, expires: number): OpenAuction => ({
  id,
  seller: 10 + id,
  category: 20 + id,
  dateTime,
  expires,
  price: -Infinity,
});
const bid = (a: number, dateTime: number, price: number): BidPrice => ({
  auction: a,
  price,
  dateTime,
});

const join = () =>
  new OperatorHarness<AuctionOrBid, Closing>(
    new KeyedProcessOperator(new WinningBids(), auctionIdOf),
    { keyed: true },
  ).open();

/** Keys with join state (an open auction or waiting bids) in a snapshot. */
async function keysInState(h: OperatorHarness<AuctionOrBid, Closing>): Promise<number> {
  const snapshot = await h.snapshot();
  let keys = 0;
  for (const g of snapshot.state.keyed?.keyGroups ?? []) { // none written when empty
    const states = g.encoded !== undefined ? decode(g.encoded) as StateEntries[] : g.states;
    for (const s of states) keys += s.entries.length;
  }
  return keys;
}

Deno.test("bids before their auction wait for it; the closing takes the highest within its lifetime", async () => {
  const h = await join();
  h.element(bid(1, 105, 10), 105).element(bid(1, 107, 30), 107).element(bid(1, 99, 99), 99);
  h.element(auction(1, 100, 200), 100).element(bid(1, 150, 20), 150).element(bid(1, 201, 50), 201);
  // The first bid's cleanup timer fires with the auction open: nothing happens.
  h.watermark(150);
  assert.deepEqual(h.records(), []);
  h.watermark(200);
  assert.deepEqual(h.timestamped(), [[
    { auction: 1, seller: 11, category: 21, expires: 200, price: 30 },
    200,
  ]]);
  assert.equal(await keysInState(h), 0, "a closed auction leaves no state");
});

Deno.test("bids whose auction never comes, or came and closed, are dropped once the watermark passes them", async () => {
  const h = await join();
  h.element(auction(2, 100, 200), 100).element(bid(2, 150, 5), 150).watermark(200);
  h.element(bid(2, 260, 7), 260).element(bid(3, 300, 8), 300).element(bid(3, 320, 9), 320);
  assert.equal(await keysInState(h), 2);
  h.watermark(300);
  assert.equal(await keysInState(h), 1, "key 3 still waits for its bid at 320");
  h.watermark(320);
  assert.equal(await keysInState(h), 0);
  // An auction after its bids were dropped closes without them (they were before it).
  h.element(auction(3, 330, 400), 330).watermark(400);
  assert.deepEqual(h.records(), [{ auction: 2, seller: 12, category: 22, expires: 200, price: 5 }]);
});

Deno.test("early bids of one millisecond keep only their highest, for the closing and in state", async () => {
  const h = await join();
  // Three at 105 (the highest in the middle), one at 99 (before the auction) and one at 106.
  for (const [t, p] of [[105, 10], [105, 40], [105, 20], [99, 99], [106, 30]]) {
    h.element(bid(4, t, p), t);
  }
  const snapshot = await h.snapshot();
  const waiting = snapshot.state.keyed!.keyGroups.flatMap((g) =>
    (g.encoded !== undefined ? decode(g.encoded) as StateEntries[] : g.states)
      .flatMap((s) => s.entries.map(([, value]) => value))
  );
  assert.deepEqual(waiting, [{ bids: [105, 40, 99, 99, 106, 30], cleanupAt: 105 }]);
  h.element(auction(4, 100, 200), 100).watermark(200);
  assert.deepEqual(h.records(), [{
    auction: 4,
    seller: 14,
    category: 24,
    expires: 200,
    price: 40,
  }]);
});
