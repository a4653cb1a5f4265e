/**
 * Event time across processes: a master and workers on loopback run the
 * event-time sums job at parallelism 4, so timestamps and watermarks cross
 * HTTP/2 exchanges. Uninterrupted, and with workers killed (-9) while
 * buckets and timers are pending: the committed output must equal the
 * reference either way (timers and their state restored from checkpoints).
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { withCluster } from "../_helpers/cluster.ts";
import { expectedEventTimeLines } from "../_helpers/event_time_sums.ts";
import { assertExactlyCommitted } from "../_helpers/keyed_count.ts";
import { runWithKills } from "../_helpers/kills.ts";

function sumsRun(master: string, out: string, events: number, keys: number, rate?: number) {
  return [
    "run",
    jobPath("event_time_sums.ts"),
    "--master",
    master,
    "-p",
    "4",
    "--mode",
    "streaming",
    "--checkpoint-interval",
    "500",
    "--checkpoint-dir",
    `${out}/checkpoints`,
    "--restart-strategy",
    "fixed-delay:10:200",
    "--",
    "--events",
    String(events),
    "--keys",
    String(keys),
    "--out",
    `${out}/data`,
    ...(rate === undefined ? [] : ["--rate", String(rate)]),
  ];
}

async function assertCommitted(dir: string, events: number, keys: number) {
  await assertExactlyCommitted(dir, expectedEventTimeLines(events, keys));
}

Deno.test("event-time timers and windows across processes at parallelism 4 equal the reference", async () => {
  await withCluster({ workers: 2, slots: 2, prefix: "spate-et-" }, async (cluster, out) => {
    const res = await runCli(sumsRun(cluster.url, out, 50_000, 40));
    assert.equal(res.code, 0, res.stderr);
    await assertCommitted(`${out}/data`, 50_000, 40);
  });
});

Deno.test("kill -9 workers while windows and timers are pending: the output equals the reference", async () => {
  await withCluster({ workers: 3, slots: 2, prefix: "spate-et-kill-" }, async (cluster, out) => {
    const [events, keys] = [80_000, 60];
    await runWithKills(cluster, sumsRun(cluster.url, out, events, keys, 8_000), 2);
    await assertCommitted(`${out}/data`, events, keys);
  });
});
