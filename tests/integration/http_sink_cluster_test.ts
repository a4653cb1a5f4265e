/**
 * The HTTP sink on a real cluster (master + 2 workers, the job sandboxed with
 * --allow-net for the endpoint only): a worker of the job is killed (-9)
 * mid-run and replaced; the job restarts from its last checkpoint and the
 * endpoint still receives every record at least once.
 */

import assert from "node:assert/strict";
import { jobPath } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";
import { missingIds, startHttpCollector } from "../_helpers/http_collector.ts";
import { runWithKills } from "../_helpers/kills.ts";

const RECORDS = 40_000;
const RATE = 8_000; // records/s overall: ~5 s of input, long enough for a kill

Deno.test("HTTP sink: kill -9 a worker mid-run; every record arrives at least once", async () => {
  const server = startHttpCollector();
  const cluster = await startCluster(2, 2);
  try {
    await runWithKills(cluster, [
      "run",
      jobPath("http_sink.ts"),
      "--master",
      cluster.url,
      "--mode",
      "streaming",
      "-p",
      "2",
      "--checkpoint-interval",
      "500",
      "--restart-strategy",
      "fixed-delay:10:200",
      `--allow-net=127.0.0.1:${server.port}`,
      "--",
      "--url",
      server.url,
      "--records",
      String(RECORDS),
      "--rate",
      String(RATE),
    ], 1);
    assert.deepEqual(missingIds(server.received, RECORDS).slice(0, 10), []);
    const copies = [...server.received.values()].reduce((a, b) => a + b, 0);
    console.log(
      `HTTP sink after a kill: ${RECORDS} records, ${copies - RECORDS} delivered again ` +
        `(replayed after the restore), ${server.requests()} requests`,
    );
  } finally {
    await cluster.stop();
    await server.close();
  }
});
