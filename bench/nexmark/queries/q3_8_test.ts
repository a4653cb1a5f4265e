/**
 * Nexmark q3 to q8 on small hand-made event lists: each query's plain loop,
 * and its job on the embedded local cluster at parallelism 1 and 2, must
 * give the rows worked out by hand. The cases hold bids before their
 * auction, bids at an auction's first and last millisecond and after it,
 * closings tied on time, ties for the highest count or price, and events on
 * window boundaries.
 *
 * The job reads the events from two sources (even and odd positions, each in
 * order, with a watermark of its highest timestamp - 1 after every event), as
 * the Nexmark source at parallelism 2 does: their records interleave in any
 * order. Imported with `?nexmark-case=NAME` (by `runCase` below, in the
 * client and in every slot), this module is that job instead of the tests.
 * @module
 */

import assert from "node:assert/strict";
import type { JobExecutionResult } from "../../../core/graph/job_result.ts";
import { setJobContext } from "../../../core/datastream/execution_context.ts";
import { LocalExecutor } from "../../../nodes/minicluster/mini_cluster.ts";
import { StreamExecutionEnvironment, type WatermarkGenerator, WatermarkStrategy } from "spate";
import { AUCTION, BID, eventTime, type NexmarkEvent, PERSON } from "../model.ts";
import type { NexmarkQuery, Row } from "./query.ts";
import { q3 } from "./q3.ts";
import { q4 } from "./q4.ts";
import { q5 } from "./q5.ts";
import { q6 } from "./q6.ts";
import { q7 } from "./q7.ts";
import { q8 } from "./q8.ts";

function person(id: number, dateTime: number, state = "OR"): NexmarkEvent {
  const name = `p${id}`;
  return {
    type: PERSON,
    person: {
      id,
      name,
      emailAddress: `${name}@example.com`,
      creditCard: "1111 2222 3333 4444",
      city: `city of ${name}`,
      state,
      dateTime,
      extra: "",
    },
  };
}

function auction(
  id: number,
  seller: number,
  category: number,
  dateTime: number,
  expires: number,
): NexmarkEvent {
  return {
    type: AUCTION,
    auction: {
      id,
      itemName: `item ${id}`,
      description: "",
      initialBid: 1,
      reserve: 1_000_000, // no bid reaches it: the closing price ignores the reserve
      dateTime,
      expires,
      seller,
      category,
      extra: "",
    },
  };
}

function bid(auction: number, price: number, dateTime: number, bidder = 7): NexmarkEvent {
  return {
    type: BID,
    bid: {
      auction,
      bidder,
      price,
      channel: "web",
      url: "https://example.com",
      dateTime,
      extra: "",
    },
  };
}

interface Case {
  readonly query: NexmarkQuery;
  /** In event-number order: timestamps never decrease. */
  readonly events: readonly NexmarkEvent[];
  readonly expected: readonly Row[];
}

const CASES: Record<string, Case> = {
  q3: {
    query: q3,
    events: [
      person(1, 100),
      person(2, 110, "WA"),
      auction(100, 1, 10, 120, 9_000),
      auction(101, 2, 10, 130, 9_000), // seller in WA
      auction(102, 1, 11, 140, 9_000), // category 11
      auction(103, 3, 10, 150, 9_000), // before its seller
      person(3, 160, "CA"),
      person(4, 170, "ID"),
      auction(104, 4, 10, 180, 9_000),
      auction(105, 4, 10, 190, 9_000),
      auction(106, 5, 10, 200, 9_000), // its seller never comes
    ],
    expected: [
      ["p1", "city of p1", "OR", 100],
      ["p3", "city of p3", "CA", 103],
      ["p4", "city of p4", "ID", 104],
      ["p4", "city of p4", "ID", 105],
    ],
  },
  // Category 10 closes a5 (4000, 20), a1 (5000, 40), a2 (5000, 50): a1 before a2 by id.
  // a1's bids at 999 (before it opened) and 5001 (after it expired) do not count, the one
  // at 5000 does; a2's bid comes before a2 in the same millisecond and counts; a3 has no
  // bid; a4 closes at the final watermark.
  q4: {
    query: q4,
    events: [
      bid(1, 500, 999),
      auction(1, 1, 10, 1000, 5000),
      bid(1, 10, 1500),
      bid(2, 50, 2000),
      auction(2, 1, 10, 2000, 5000),
      auction(3, 1, 11, 2500, 3000),
      auction(4, 1, 11, 2600, 90_000),
      auction(5, 1, 10, 3000, 4000),
      bid(4, 7, 3000),
      bid(5, 20, 3500),
      bid(1, 30, 4999),
      bid(1, 40, 5000),
      bid(1, 100, 5001),
      bid(5, 999, 6000),
      bid(99, 1, 6000),
      person(1, 7000),
    ],
    expected: [[10, 20], [10, 30], [10, 110 / 3], [11, 7]],
  },
  q5: {
    query: q5,
    events: [
      bid(1, 1, 1000),
      bid(1, 1, 1500),
      bid(2, 1, 1999),
      bid(2, 1, 2000),
      bid(1, 1, 3000),
      auction(9, 1, 10, 4000, 5000),
      bid(2, 1, 11_999),
      bid(3, 1, 12_000),
    ],
    expected: [
      [2000, 1, 2],
      [4000, 1, 3],
      [6000, 1, 3],
      [8000, 1, 3],
      [10_000, 1, 3],
      [12_000, 2, 2],
      ...[14_000, 16_000, 18_000, 20_000].flatMap((end) => [[end, 2, 1], [end, 3, 1]]),
      [22_000, 3, 1],
    ],
  },
  // Seller 1 closes 12 auctions priced 10, 20, .. 120 in turn; seller 2 two at the same
  // time: 300 (50) before 301 (100) by id.
  q6: {
    query: q6,
    events: [
      ...Array.from({ length: 12 }, (_, i) => [
        auction(200 + i, 1, 10, 1000 + 10 * i, 2000 + 100 * i),
        bid(200 + i, 10 * (i + 1), 1001 + 10 * i),
      ]).flat(),
      auction(301, 2, 10, 1200, 3000),
      auction(300, 2, 10, 1201, 3000),
      bid(301, 100, 1202),
      bid(300, 50, 1203),
      bid(301, 5, 1204),
    ].sort((a, b) => eventTime(a) - eventTime(b)),
    expected: [
      ...Array.from({ length: 10 }, (_, k): Row => [1, 5 * (k + 2)]),
      [1, 65],
      [1, 75],
      [2, 50],
      [2, 75],
    ],
  },
  q7: {
    query: q7,
    events: [
      bid(1, 10, 1000, 7),
      bid(2, 30, 5000, 8),
      bid(3, 30, 9999, 9),
      bid(1, 5, 10_000, 7),
      person(1, 15_000),
      bid(2, 40, 25_000, 8),
      bid(2, 40, 25_001, 9),
      bid(3, 39, 29_999, 1),
    ],
    expected: [
      [2, 30, 8, 5000, 10_000],
      [3, 30, 9, 9999, 10_000],
      [1, 5, 7, 10_000, 20_000],
      [2, 40, 8, 25_000, 30_000],
      [2, 40, 9, 25_001, 30_000],
    ],
  },
  q8: {
    query: q8,
    events: [
      person(1, 1000),
      auction(10, 1, 10, 5000, 90_000),
      auction(11, 1, 10, 6000, 90_000), // a second auction: still one row
      person(2, 9999),
      auction(12, 2, 10, 10_000, 90_000), // the next window
      auction(13, 3, 10, 11_000, 90_000), // before its seller, in the same window
      person(3, 12_000),
      auction(14, 4, 10, 13_000, 90_000),
      person(5, 15_000),
    ],
    expected: [[1, "p1", 0], [3, "p3", 10_000]],
  },
};

/** Emits the highest timestamp so far - 1 after every event (a monotonous source, punctuated). */
const monotonous = (): WatermarkGenerator<NexmarkEvent> => {
  let max = -Infinity;
  return {
    onEvent(_e, ts, out) {
      if (ts > max) out.emitWatermark((max = ts) - 1);
    },
    onPeriodicEmit() {},
  };
};

/** The case's query on its events from two sources; the rows it emitted. */
function buildCase(c: Case): Promise<Row[]> {
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  const strategy = WatermarkStrategy.forGenerator(monotonous).withTimestampAssigner(eventTime);
  const [even, odd] = [0, 1].map((parity) =>
    env.fromCollection(c.events.filter((_, i) => i % 2 === parity))
      .assignTimestampsAndWatermarks(strategy).setParallelism(1)
  );
  return c.query.build(even.union(odd)).executeAndCollect(`nexmark ${c.query.name}`).toArray();
}

const jobCase = new URL(import.meta.url).searchParams.get("nexmark-case");

/** What the collect sink received, when this module runs as a case's job. */
export const rows: Row[] = jobCase === null ? [] : await buildCase(CASES[jobCase]);

let runs = 0;

/** Runs this module as the job of case `name` on the embedded local cluster. */
async function runCase(name: string, parallelism: number): Promise<Row[]> {
  const executor = new LocalExecutor();
  const url = `${import.meta.url.split("?")[0]}?nexmark-case=${name}&run=${runs++}`;
  let result: JobExecutionResult | undefined;
  setJobContext({
    mode: "client",
    args: [],
    jobModuleUrl: url,
    defaults: { parallelism },
    executor: {
      async execute(plan, onCollect) {
        return result = await executor.execute(plan, onCollect);
      },
    },
  });
  try {
    const module = await import(url) as { rows: Row[] };
    assert.ok(result !== undefined, `case ${name}: the job did not run`);
    return module.rows;
  } finally {
    setJobContext(undefined);
  }
}

const sorted = (rs: readonly Row[]) => rs.map((r) => JSON.stringify(r)).sort();

function rawRows(c: Case, batchSize: number): Row[] {
  const batches: NexmarkEvent[][] = [];
  for (let i = 0; i < c.events.length; i += batchSize) {
    batches.push(c.events.slice(i, i + batchSize));
  }
  const out: Row[] = [];
  c.query.raw(batches, (r) => out.push(r));
  return out;
}

if (jobCase === null) {
  for (const [name, c] of Object.entries(CASES)) {
    Deno.test(`nexmark ${name} plain loop on hand-made events`, () => {
      for (let i = 1; i < c.events.length; i++) {
        assert.ok(eventTime(c.events[i - 1]) <= eventTime(c.events[i]), `${name}: event ${i}`);
      }
      // One event per batch (event time advances after each) and one batch for all.
      assert.deepEqual(sorted(rawRows(c, 1)), sorted(c.expected));
      assert.deepEqual(sorted(rawRows(c, c.events.length)), sorted(c.expected));
    });
    for (const parallelism of [1, 2]) {
      Deno.test(`nexmark ${name} job on hand-made events at parallelism ${parallelism}`, async () => {
        assert.deepEqual(sorted(await runCase(name, parallelism)), sorted(c.expected));
      });
    }
  }
}
