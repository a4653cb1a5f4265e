import assert from "node:assert/strict";
import {
  DEFAULT_NEXMARK_CONFIG,
  estimatedSizeBytes,
  eventBatches,
  type NexmarkConfig,
  nexmarkConfig,
  nexmarkEvent,
} from "./generator.ts";
import { AUCTION, eventTime, type NexmarkEvent, PERSON } from "./model.ts";

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const SLOW: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, seed: 7, eventsPerSecond: 1000 };

Deno.test("the same event number and config give equal, fresh events; another seed others", () => {
  for (const n of [0, 1, 4, 49, 50, 12_345, 2 ** 40 + 7]) {
    const a = nexmarkEvent(n, SLOW), b = nexmarkEvent(n, SLOW);
    assert.deepEqual(a, b);
    assert.notEqual(a, b);
  }
  const seeds = [0, 1, 2].map((seed) => ({ ...DEFAULT_NEXMARK_CONFIG, seed }));
  for (const n of range(0, 200)) {
    const [x, y, z] = seeds.map((c) => JSON.stringify(nexmarkEvent(n, c)));
    assert.ok(x !== y && y !== z && x !== z, `event ${n} is the same under seeds 0, 1, 2`);
  }
});

Deno.test("every 50 consecutive event numbers hold 1 person, 3 auctions and 46 bids", () => {
  for (const from of [0, 1, 7, 49, 123_456, 2 ** 33 + 11]) {
    const counts = [0, 0, 0];
    for (const n of range(from, from + 50)) counts[nexmarkEvent(n).type]++;
    assert.deepEqual(counts, [1, 3, 46], `from ${from}`);
  }
  assert.equal(nexmarkEvent(0).type, PERSON);
  assert.deepEqual([1, 2, 3].map((n) => nexmarkEvent(n).type), [AUCTION, AUCTION, AUCTION]);
});

Deno.test("event time is baseTime + n * 1000 / eventsPerSecond, rounded down", () => {
  for (const config of [DEFAULT_NEXMARK_CONFIG, SLOW, { ...SLOW, eventsPerSecond: 3 }]) {
    let last = -Infinity;
    for (const n of range(0, 5000)) {
      const t = eventTime(nexmarkEvent(n, config));
      assert.equal(t, config.baseTime + Math.floor(n * 1000 / config.eventsPerSecond));
      assert.ok(t >= last);
      last = t;
    }
  }
});

/** Walks events 0 .. count - 1, checking each reference against what exists by then. */
function checkReferences(config: NexmarkConfig, count: number) {
  let persons = 0, auctions = 0, hotAuctionBids = 0, bids = 0;
  for (const n of range(0, count)) {
    const e = nexmarkEvent(n, config);
    const lead = config.idLead;
    if (e.type === PERSON) {
      assert.equal(e.person.id, 1000 + persons++);
    } else if (e.type === AUCTION) {
      const a = e.auction;
      assert.equal(a.id, 1000 + auctions++);
      assert.ok(a.seller >= 1000 && a.seller < 1000 + persons + lead, `auction ${n} seller`);
      assert.ok(a.expires > a.dateTime, `auction ${n} expires after it opens`);
      assert.ok(a.category >= 10 && a.category < 15 && a.reserve >= a.initialBid);
    } else {
      const b = e.bid;
      assert.ok(b.auction >= 1000 && b.auction < 1000 + auctions + lead, `bid ${n} auction`);
      assert.ok(b.bidder >= 1000 && b.bidder < 1000 + persons + lead, `bid ${n} bidder`);
      assert.ok(b.price >= 100 && b.price <= 100_000_000, `bid ${n} price ${b.price}`);
      bids++;
      if ((b.auction - 1000) % 100 === 0) hotAuctionBids++;
    }
  }
  return hotAuctionBids / bids;
}

Deno.test("auctions and bids name only persons and auctions generated at or before them", () => {
  const hot = checkReferences(SLOW, 20_000);
  // hotAuctionRatio 2: half the bids go to the hot auction (and a few random ones too).
  assert.ok(hot > 0.45 && hot < 0.6, `share of bids on hot auctions: ${hot}`);
  checkReferences(DEFAULT_NEXMARK_CONFIG, 5_000);
  checkReferences({ ...SLOW, idLead: 10 }, 5_000);
});

Deno.test("records average 200, 500 and 100 bytes and have well-formed fields", () => {
  const sums = [0, 0, 0], counts = [0, 0, 0];
  for (const n of range(0, 50_000)) {
    const e = nexmarkEvent(n, SLOW);
    sums[e.type] += estimatedSizeBytes(e);
    counts[e.type]++;
    if (e.type === PERSON) {
      assert.match(e.person.emailAddress, /^[a-z]{3,6}@[a-z]{3,4}\.com$/);
      assert.match(e.person.creditCard, /^\d{4} \d{4} \d{4} \d{4}$/);
      assert.match(e.person.name, /^[A-Z][a-z]+ [A-Z][a-z]+$/);
    }
  }
  const averages = sums.map((s, i) => s / counts[i]);
  for (const [i, want] of [200, 500, 100].entries()) {
    assert.ok(Math.abs(averages[i] - want) <= want / 4, `averages ${averages}`);
  }
});

Deno.test("eventBatches yields the events nexmarkEvent makes, in batches, with a step", () => {
  const flat = (batches: Iterable<NexmarkEvent[]>) => [...batches].flat();
  const sizes = [...eventBatches(SLOW, 10, 1000, 64)].map((b) => b.length);
  assert.deepEqual(sizes, [...Array(15).fill(64), 30]);
  assert.deepEqual(
    flat(eventBatches(SLOW, 10, 1000, 64)),
    range(10, 1000).map((n) => nexmarkEvent(n, SLOW)),
  );
  assert.deepEqual(
    flat(eventBatches(SLOW, 2, 1000, 100, 3)),
    range(0, 333).map((i) => nexmarkEvent(2 + 3 * i, SLOW)),
  );
  assert.deepEqual(
    flat(eventBatches({ seed: 7, eventsPerSecond: 1000 }, 0, 50, 7)),
    flat(eventBatches(SLOW, 0, 50, 50)),
  );
  assert.deepEqual([...eventBatches(SLOW, 5, 5, 10)], []);
});

Deno.test("bad configs, event numbers and batch sizes are refused", () => {
  assert.throws(() => nexmarkConfig({ eventsPerSecond: 0 }), /eventsPerSecond must be > 0, got 0/);
  assert.throws(() => nexmarkConfig({ hotAuctionRatio: 0.5 }), /hotAuctionRatio/);
  assert.throws(() => nexmarkConfig({ idLead: -1 }), /idLead/);
  assert.throws(() => nexmarkEvent(-1), /non-negative integer, got -1/);
  assert.throws(() => nexmarkEvent(1.5), /non-negative integer, got 1.5/);
  assert.throws(() => [...eventBatches(SLOW, 0, 10, 0)], /batchSize/);
  assert.deepEqual(nexmarkConfig(), DEFAULT_NEXMARK_CONFIG);
});
