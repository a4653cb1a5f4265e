/**
 * Nexmark q4 on a real cluster: a master and two workers of one slot each,
 * so the join's keyBy exchange crosses HTTP/2 between worker processes, in
 * numeric batches (the join's input is auctions and bids of numbers only).
 * The job's rows and checksum must equal the plain loop's over the same events.
 */

import assert from "node:assert/strict";
import { rawRun } from "../../bench/nexmark.ts";
import { DEFAULT_NEXMARK_CONFIG } from "../../bench/nexmark/generator.ts";
import { queryNamed } from "../../bench/nexmark/queries/mod.ts";
import { runCli } from "../_helpers/cli.ts";
import { startCluster } from "../_helpers/cluster.ts";

const EVENTS = 30_000;
const SEED = 7;
const RATE = 1000;

Deno.test("nexmark q4 across two worker processes equals the plain loop", async () => {
  const cluster = await startCluster(2, 1);
  try {
    const res = await runCli([
      "run",
      "bench/nexmark/job.ts",
      "--master",
      cluster.url,
      "-p",
      "2",
      "--mode",
      "streaming",
      "--",
      "--query",
      "q4",
      "--events",
      String(EVENTS),
      "--seed",
      String(SEED),
      "--rate",
      String(RATE),
    ]);
    assert.equal(res.code, 0, res.stderr);
    const line = res.stdout.split("\n").find((l) => l.startsWith("nexmark-result "));
    assert.ok(line, `no nexmark-result line in:\n${res.stdout}\n${res.stderr}`);
    const job = JSON.parse(line.slice("nexmark-result ".length));
    const raw = rawRun(
      queryNamed("q4"),
      { ...DEFAULT_NEXMARK_CONFIG, seed: SEED, eventsPerSecond: RATE },
      EVENTS,
    );
    assert.ok(raw.rows > 0);
    assert.deepEqual({ rows: job.rows, checksum: job.checksum }, {
      rows: raw.rows,
      checksum: raw.checksum,
    });
  } finally {
    await cluster.stop();
  }
});
