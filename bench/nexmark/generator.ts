/**
 * The Nexmark event generator, after the specification as the Nexmark
 * project's Flink generator and Beam's Nexmark implement it: event number n
 * is a person, an auction or a bid by n mod 50 (1 : 3 : 46), ids start at
 * 1000, bids favour hot auctions, hot bidders and hot channels, auctions
 * expire after about the time it takes to open 100 more auctions.
 *
 * Everything about event n is a pure function of (n, config): a small PRNG
 * seeded from a hash of (seed, n) draws its fields, so any subtask can
 * generate any event, in any order, after any restore.
 *
 * Departures from the reference, on purpose:
 * - Event time runs at a constant `eventsPerSecond` from `baseTime`, with no
 *   out-of-order groups: `eventTime(n) = baseTime + floor(n * 1000 / rate)`.
 * - References never point past the newest person or auction at that event
 *   number unless `idLead` > 0 (the reference generator uses 10, so a few
 *   bids name auctions and people that do not exist yet).
 * - Sizes count every field (8 bytes per number, one per character), bids'
 *   channel and url included, so records average 200 / 500 / 100 bytes. The
 *   reference leaves channel and url out of its sum: its bids are ~170 bytes.
 * - Long padding (`description`, `extra`) is a slice of a 64 KiB pool of
 *   random letters at a random offset: a distinct string of the right length
 *   and content, which V8 makes without copying characters. Short strings
 *   (names, emails, credit cards, item names) are built character by character.
 * @module
 */

import {
  AUCTION,
  type Auction,
  BID,
  type Bid,
  type NexmarkEvent,
  PERSON,
  type Person,
} from "./model.ts";
import {
  below,
  channelNames,
  channelUrls,
  digits4,
  extra,
  FIRST_NAMES,
  HOT_CHANNELS,
  HOT_URLS,
  LAST_NAMES,
  makeChannel,
  MIN_STRING_LENGTH,
  nextUint32,
  padding,
  seedRng,
  shortString,
  US_CITIES,
  US_STATES,
} from "./_random.ts";

/** What the generated stream looks like; every field is part of each event's identity. */
export interface NexmarkConfig {
  /** Seeds every event's random draws: another seed, another stream. */
  readonly seed: number;
  /** Events per second of event time, over all subtasks. */
  readonly eventsPerSecond: number;
  /** Event time of event 0, epoch ms. */
  readonly baseTime: number;
  /** A bid is for a hot auction with probability 1 - 1/hotAuctionRatio. */
  readonly hotAuctionRatio: number;
  /** An auction's seller is a hot seller with probability 1 - 1/hotSellerRatio. */
  readonly hotSellerRatio: number;
  /** A bidder is a hot bidder with probability 1 - 1/hotBidderRatio. */
  readonly hotBidderRatio: number;
  /** Random bids go to the newest this many auctions; auction length scales with it. */
  readonly numInFlightAuctions: number;
  /** Random sellers and bidders are among the newest this many people. */
  readonly numActivePeople: number;
  /** How many ids past the newest person or auction a random reference may name. */
  readonly idLead: number;
}

/**
 * The specification's ratios and sizes, one million events per second of
 * event time from 2026-01-01T00:00:00Z, seed 0.
 *
 * @example
 * ```ts
 * import { DEFAULT_NEXMARK_CONFIG, nexmarkEvent } from "./generator.ts";
 * const slow = { ...DEFAULT_NEXMARK_CONFIG, seed: 7, eventsPerSecond: 1000 };
 * nexmarkEvent(1000, slow); // one second of event time after event 0
 * ```
 */
export const DEFAULT_NEXMARK_CONFIG: NexmarkConfig = Object.freeze({
  seed: 0,
  eventsPerSecond: 1_000_000,
  baseTime: Date.UTC(2026, 0, 1),
  hotAuctionRatio: 2,
  hotSellerRatio: 4,
  hotBidderRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
  idLead: 0,
});

const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const TOTAL_PROPORTION = 50;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
/** Hot auctions, sellers and bidders are the first of each block of this many ids. */
const HOT_BLOCK = 100;
const HOT_CHANNELS_RATIO = 2;
const CHANNELS_NUMBER = 10_000;
const AVG_PERSON_BYTES = 200;
const AVG_AUCTION_BYTES = 500;
const AVG_BID_BYTES = 100;
const NUMBER_BYTES = 8;

// ---------------------------------------------------------------------------
// Ids (base 0) as the specification derives them from the event number.

/** The newest person at event n (the one event n generates, if it is a person). */
function lastBase0PersonId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = n % TOTAL_PROPORTION;
  return epoch * PERSON_PROPORTION + Math.min(offset, PERSON_PROPORTION - 1);
}

/** The newest auction at event n (the one it generates, if it is an auction); n must not be a person. */
function lastBase0AuctionId(n: number): number {
  const epoch = Math.floor(n / TOTAL_PROPORTION);
  const offset = Math.min(n % TOTAL_PROPORTION - PERSON_PROPORTION, AUCTION_PROPORTION - 1);
  return epoch * AUCTION_PROPORTION + offset;
}

/** A random recent person (up to `idLead` ids ahead). */
function nextBase0PersonId(n: number, config: NexmarkConfig): number {
  const newest = lastBase0PersonId(n);
  const active = Math.min(newest, config.numActivePeople);
  return newest - active + below(active + 1 + config.idLead);
}

/** A random auction among the newest in flight (up to `idLead` ids ahead). */
function nextBase0AuctionId(n: number, config: NexmarkConfig): number {
  const newest = lastBase0AuctionId(n);
  const oldest = Math.max(0, newest - config.numInFlightAuctions);
  return oldest + below(newest - oldest + 1 + config.idLead);
}

/** 100 * 10^(k / PRICE_STEPS_PER_DECADE): nextPrice interpolates in it (Math.pow costs twice as much). */
const PRICE_STEPS_PER_DECADE = 1024;
const PRICE_STEPS = 6 * PRICE_STEPS_PER_DECADE;
const PRICE_TABLE = new Float64Array(PRICE_STEPS);
for (let k = 0; k < PRICE_STEPS; k++) {
  PRICE_TABLE[k] = 100 * Math.pow(10, k / PRICE_STEPS_PER_DECADE);
}
const PRICE_STEP_GROWTH = Math.pow(10, 1 / PRICE_STEPS_PER_DECADE) - 1;

/** The specification's nextPrice: round(100 * 10^u), u uniform in [0, 6) (log-uniform cents). */
function nextPrice(): number {
  const x = nextUint32() * (PRICE_STEPS / 4294967296);
  const k = Math.floor(x);
  return Math.round(PRICE_TABLE[k] * (1 + (x - k) * PRICE_STEP_GROWTH));
}

/** Event time of event n, epoch ms. */
function timeOf(n: number, config: NexmarkConfig): number {
  return config.baseTime + Math.floor(n * 1000 / config.eventsPerSecond);
}

/** Auction length: uniform in [1, 2h] ms, h the time until numInFlightAuctions more auctions. */
function auctionLengthMs(n: number, timestamp: number, config: NexmarkConfig): number {
  const eventsForAuctions = Math.floor(
    config.numInFlightAuctions * TOTAL_PROPORTION / AUCTION_PROPORTION,
  );
  const horizonMs = timeOf(n + eventsForAuctions, config) - timestamp;
  return 1 + below(Math.max(horizonMs * 2, 1));
}

// ---------------------------------------------------------------------------
// Records.

function nextPerson(n: number, dateTime: number): Person {
  const id = lastBase0PersonId(n) + FIRST_PERSON_ID;
  const name = FIRST_NAMES[below(FIRST_NAMES.length)] + " " + LAST_NAMES[below(LAST_NAMES.length)];
  const emailAddress = shortString(7) + "@" + shortString(5) + ".com";
  const creditCard = digits4() + " " + digits4() + " " + digits4() + " " + digits4();
  const city = US_CITIES[below(US_CITIES.length)];
  const state = US_STATES[below(US_STATES.length)];
  const size = 2 * NUMBER_BYTES + name.length + emailAddress.length + creditCard.length +
    city.length + state.length;
  return {
    id,
    name,
    emailAddress,
    creditCard,
    city,
    state,
    dateTime,
    extra: extra(size, AVG_PERSON_BYTES),
  };
}

function nextAuction(n: number, dateTime: number, config: NexmarkConfig): Auction {
  const id = lastBase0AuctionId(n) + FIRST_AUCTION_ID;
  const seller = FIRST_PERSON_ID +
    (below(config.hotSellerRatio) > 0
      ? Math.floor(lastBase0PersonId(n) / HOT_BLOCK) * HOT_BLOCK
      : nextBase0PersonId(n, config));
  const category = FIRST_CATEGORY_ID + below(NUM_CATEGORIES);
  const initialBid = nextPrice();
  const expires = dateTime + auctionLengthMs(n, dateTime, config);
  const itemName = shortString(20);
  const description = padding(MIN_STRING_LENGTH + below(100 - MIN_STRING_LENGTH));
  const reserve = initialBid + nextPrice();
  const size = 7 * NUMBER_BYTES + itemName.length + description.length;
  return {
    id,
    itemName,
    description,
    initialBid,
    reserve,
    dateTime,
    expires,
    seller,
    category,
    extra: extra(size, AVG_AUCTION_BYTES),
  };
}

function nextBid(n: number, dateTime: number, config: NexmarkConfig): Bid {
  const auction = FIRST_AUCTION_ID +
    (below(config.hotAuctionRatio) > 0
      ? Math.floor(lastBase0AuctionId(n) / HOT_BLOCK) * HOT_BLOCK
      : nextBase0AuctionId(n, config));
  const bidder = FIRST_PERSON_ID +
    (below(config.hotBidderRatio) > 0
      ? Math.floor(lastBase0PersonId(n) / HOT_BLOCK) * HOT_BLOCK
      : nextBase0PersonId(n, config));
  const price = nextPrice();
  let channel: string, url: string;
  if (below(HOT_CHANNELS_RATIO) > 0) {
    const i = below(HOT_CHANNELS.length);
    channel = HOT_CHANNELS[i];
    url = HOT_URLS[i];
  } else {
    const i = below(CHANNELS_NUMBER);
    makeChannel(i);
    channel = channelNames[i];
    url = channelUrls[i];
  }
  const size = 4 * NUMBER_BYTES + channel.length + url.length;
  return { auction, bidder, price, channel, url, dateTime, extra: extra(size, AVG_BID_BYTES) };
}

// ---------------------------------------------------------------------------
// The public door.

/**
 * Event number `n` (a non-negative integer) of the stream `config` describes:
 * the same event for the same (n, config), every time, a fresh object each call.
 *
 * @example
 * ```ts
 * import { nexmarkEvent } from "./generator.ts";
 * import { BID } from "./model.ts";
 * const e = nexmarkEvent(10);
 * if (e.type === BID) console.log(e.bid.auction, e.bid.price);
 * ```
 */
export function nexmarkEvent(
  n: number,
  config: NexmarkConfig = DEFAULT_NEXMARK_CONFIG,
): NexmarkEvent {
  if (!(n >= 0 && Number.isSafeInteger(n))) {
    throw new RangeError(`a Nexmark event number is a non-negative integer, got ${n}`);
  }
  seedRng(config.seed, n);
  const dateTime = timeOf(n, config);
  const offset = n % TOTAL_PROPORTION;
  if (offset < PERSON_PROPORTION) return { type: PERSON, person: nextPerson(n, dateTime) };
  if (offset < PERSON_PROPORTION + AUCTION_PROPORTION) {
    return { type: AUCTION, auction: nextAuction(n, dateTime, config) };
  }
  return { type: BID, bid: nextBid(n, dateTime, config) };
}

/**
 * `config` with its fields checked; missing ones taken from
 * DEFAULT_NEXMARK_CONFIG. Throws a RangeError naming a bad field.
 *
 * @example
 * ```ts
 * import { nexmarkConfig } from "./generator.ts";
 * const config = nexmarkConfig({ seed: 3, eventsPerSecond: 10_000 });
 * ```
 */
export function nexmarkConfig(config: Partial<NexmarkConfig> = {}): NexmarkConfig {
  const c: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, ...config };
  const check = (field: keyof NexmarkConfig, ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`Nexmark config ${field} must be ${what}, got ${c[field]}`);
  };
  check("seed", Number.isSafeInteger(c.seed), "an integer");
  check("eventsPerSecond", c.eventsPerSecond > 0 && Number.isFinite(c.eventsPerSecond), "> 0");
  check("baseTime", Number.isSafeInteger(c.baseTime), "an integer (epoch ms)");
  for (const f of ["hotAuctionRatio", "hotSellerRatio", "hotBidderRatio"] as const) {
    check(f, Number.isInteger(c[f]) && c[f] >= 1, "an integer >= 1");
  }
  for (const f of ["numInFlightAuctions", "numActivePeople"] as const) {
    check(f, Number.isInteger(c[f]) && c[f] >= 1, "an integer >= 1");
  }
  check("idLead", Number.isInteger(c.idLead) && c.idLead >= 0, "an integer >= 0");
  return Object.freeze(c);
}

/**
 * Fresh events for the event numbers from, from + step, ... below `to`, in
 * arrays of at most `batchSize` (a new array and new events every time).
 *
 * @example
 * ```ts
 * import { DEFAULT_NEXMARK_CONFIG, eventBatches } from "./generator.ts";
 * let count = 0;
 * for (const batch of eventBatches(DEFAULT_NEXMARK_CONFIG, 0, 10_000, 1024)) count += batch.length;
 * ```
 */
export function* eventBatches(
  config: Partial<NexmarkConfig>,
  from: number,
  to: number,
  batchSize: number,
  step = 1,
): Generator<NexmarkEvent[], void, undefined> {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new RangeError(`batchSize must be an integer >= 1, got ${batchSize}`);
  }
  if (!(Number.isInteger(step) && step >= 1)) {
    throw new RangeError(`step must be an integer >= 1, got ${step}`);
  }
  const c = nexmarkConfig(config);
  let n = from;
  while (n < to) {
    const batch: NexmarkEvent[] = [];
    for (let i = 0; i < batchSize && n < to; i++, n += step) batch.push(nexmarkEvent(n, c));
    yield batch;
  }
}

/**
 * A record's size as the specification counts it: 8 bytes per number, one
 * per character of every string (the event tag not included).
 *
 * @example
 * ```ts
 * import { estimatedSizeBytes, nexmarkEvent } from "./generator.ts";
 * estimatedSizeBytes(nexmarkEvent(0)); // a person: about 200
 * ```
 */
export function estimatedSizeBytes(e: NexmarkEvent): number {
  if (e.type === PERSON) {
    const p = e.person;
    return 2 * NUMBER_BYTES + p.name.length + p.emailAddress.length + p.creditCard.length +
      p.city.length + p.state.length + p.extra.length;
  }
  if (e.type === AUCTION) {
    const a = e.auction;
    return 7 * NUMBER_BYTES + a.itemName.length + a.description.length + a.extra.length;
  }
  const b = e.bid;
  return 4 * NUMBER_BYTES + b.channel.length + b.url.length + b.extra.length;
}
