/** A tiny run of the latency benchmark's job on a real cluster: it reports sane percentiles. */

import assert from "node:assert/strict";
import { latencyRun } from "../../bench/latency.ts";
import { startCluster } from "../_helpers/cluster.ts";

Deno.test("bench latency: 2 workers x 1 slot, buffer timeout 0, every counted record reported", async () => {
  const cluster = await startCluster(2, 1);
  try {
    // 4000 records, 2000 per source at 1000/s; each source's first 500 are warm-up.
    const run = await latencyRun(cluster, {
      rate: 2000,
      seconds: 2,
      bufferTimeoutMs: 0,
      warmupMs: 500,
    });
    assert.equal(run.all.count, 3000);
    assert.equal(run.local.count + run.remote.count, 3000);
    assert.ok(run.local.count > 0 && run.remote.count > 0, JSON.stringify(run));
    for (const s of [run.all, run.local, run.remote, run.paced]) {
      assert.ok(0 <= s.p50 && s.p50 <= s.p99 && s.p99 <= s.p999, JSON.stringify(s));
      // Bucket resolution is 10 µs; the maximum is exact.
      assert.ok(s.p999 <= s.max + 0.01 && s.max < 10_000, JSON.stringify(s));
    }
    assert.equal(run.paced.count, 3000);
    assert.ok(run.paced.p50 >= run.all.p50 - 0.01, JSON.stringify(run));
    // Stamps from two processes' clocks: a latency well below zero means they disagree.
    assert.ok(run.minMs > -1, `a negative latency: ${run.minMs} ms`);
  } finally {
    await cluster.stop();
  }
});
