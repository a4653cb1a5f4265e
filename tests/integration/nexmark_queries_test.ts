/**
 * Every Nexmark query on the embedded local cluster (real slot workers) at
 * parallelism 1 and 2, on generated events, against the query's plain-loop
 * reference over the same events: the same multiset of rows.
 */

import assert from "node:assert/strict";
import { DEFAULT_NEXMARK_CONFIG, eventBatches } from "../../bench/nexmark/generator.ts";
import { QUERIES } from "../../bench/nexmark/queries/mod.ts";
import type { Row } from "../../bench/nexmark/queries/query.ts";
import { runJobModule } from "../_helpers/run_job.ts";

/** Enough events for several 10 s windows of event time and many closed auctions. */
const EVENTS = 30_000;
const SEED = 7;
/** Event time at 1000 events/s: 30 s of auctions, bids and windows. */
const CONFIG = { ...DEFAULT_NEXMARK_CONFIG, seed: SEED, eventsPerSecond: 1000 };

const key = (r: Row) => JSON.stringify(r);
const sorted = (rows: readonly Row[]) => rows.map(key).sort();

for (const q of QUERIES) {
  const expected: Row[] = [];
  q.raw(eventBatches(CONFIG, 0, EVENTS, 1024), (r) => expected.push(r));
  for (const parallelism of [1, 2]) {
    Deno.test(`nexmark ${q.name} at parallelism ${parallelism} equals its reference`, async () => {
      const { module } = await runJobModule<{ rows: Row[] }>(
        "nexmark_query.ts",
        [
          "--query",
          q.name,
          "--events",
          String(EVENTS),
          "--seed",
          String(SEED),
          "--rate",
          String(CONFIG.eventsPerSecond),
        ],
        { parallelism },
      );
      assert.ok(expected.length > 0, `${q.name}: the reference produced no rows`);
      assert.equal(module.rows.length, expected.length, `${q.name}: row count`);
      assert.deepEqual(sorted(module.rows), sorted(expected));
    });
  }
}
