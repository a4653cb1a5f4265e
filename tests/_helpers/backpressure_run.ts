/**
 * Backpressure across worker processes, as the tests of each data plane
 * check it: `tests/_jobs/backpressure.ts` (a fast source, a sink slowed by
 * 10 µs a record) on a cluster of two workers of one slot each.
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_NETWORK_SETTINGS } from "../../nodes/worker/network/channel.ts";
import { jobPath, runCli, runSummary } from "./cli.ts";
import type { TestCluster } from "./cluster.ts";

/**
 * Runs the job on `cluster` and asserts that every record arrived, that the
 * queues stayed within their credits, that the source waited for most of the
 * run, and that source and sink ran on different workers.
 */
export async function assertBackpressureAcrossWorkers(cluster: TestCluster): Promise<void> {
  const res = await runCli([
    "run",
    jobPath("backpressure.ts"),
    "--master",
    cluster.url,
    "--json",
    "--",
    "--records",
    "100000",
    "--sink-delay-us",
    "10",
  ]);
  assert.equal(res.code, 0, res.stderr);
  const summary = runSummary(res);
  const [source, sink] = summary.vertices;
  assert.equal(sink.recordsIn, 100_000);
  assert.ok(source.maxOutputBacklogBuffers <= 4, `backlog ${source.maxOutputBacklogBuffers}`);
  assert.ok(
    sink.maxInputQueueBuffers <= DEFAULT_NETWORK_SETTINGS.creditsPerRemoteChannel,
    `queue ${sink.maxInputQueueBuffers}`,
  );
  assert.ok(
    source.backpressuredMs > summary.durationMs * 0.3,
    `the source waited ${source.backpressuredMs} of ${summary.durationMs} ms`,
  );
  const details = await (await fetch(`${cluster.url}/api/v1/jobs/${summary.jobId}`)).json();
  const workers = details.vertices.map((v: { subtasks: { worker: string }[] }) =>
    v.subtasks[0].worker
  );
  assert.notEqual(workers[0], workers[1], "source and sink ran on different workers");
}
