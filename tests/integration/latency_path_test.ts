/**
 * The latency path, functionally: records stamped at the sources flow at
 * buffer timeout 0 through local and remote channels and every counted one
 * is reported. The measurement itself (percentiles on a quiet machine) is
 * `deno task bench latency`; nothing here depends on how fast the machine is.
 */

import assert from "node:assert/strict";
import { latencyRun } from "../../bench/latency.ts";
import { startCluster } from "../_helpers/cluster.ts";

Deno.test("latency path: 2 workers x 1 slot, buffer timeout 0, every counted record arrives", async () => {
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
    assert.equal(run.paced.count, 3000);
    // Both kinds of channel carried records: in-process and across workers.
    assert.equal(run.local.count + run.remote.count, 3000);
    assert.ok(run.local.count > 0 && run.remote.count > 0, JSON.stringify(run));
    // Consistent summaries (order only: no bound on the values themselves).
    for (const s of [run.all, run.local, run.remote, run.paced]) {
      assert.ok(s.p50 <= s.p99 && s.p99 <= s.p999, JSON.stringify(s));
    }
  } finally {
    await cluster.stop();
  }
});
