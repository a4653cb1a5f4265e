/**
 * Backpressure end to end: a fast source in one slot, a slow sink in another.
 * The source must be held back by credit: queues fill to their limits and no
 * further while far more data than they hold flows.
 */

import assert from "node:assert/strict";
import { type CliResult, jobPath, runCli, runSummary } from "../_helpers/cli.ts";
import { DEFAULT_NETWORK_SETTINGS } from "../../nodes/worker/network/channel.ts";

const RECORDS = 400_000;
const RECORD_BYTES = 1000;

Deno.test("a slow sink holds a fast source back with bounded queues and memory", async () => {
  const res = await runCli([
    "run",
    jobPath("backpressure.ts"),
    "--json",
    "--",
    "--records",
    String(RECORDS),
    "--record-bytes",
    String(RECORD_BYTES),
    "--sink-delay-us",
    "5",
  ]);
  assert.equal(res.code, 0, res.stderr);
  const summary = runSummary(res);
  const [source, sink] = summary.vertices;
  assert.equal(summary.slots, 2, "source and sink run in different slots (threads)");
  assert.equal(sink.recordsIn, RECORDS);
  assert.ok(source.bytesOut > RECORDS * RECORD_BYTES, "all the data went through the exchange");

  // Held back by credit, as the runtime reports it: the producer's backlog
  // filled up to its limit and no further, the consumer's queue to its
  // credit and no further, and the source waited on its outputs. Memory is
  // bounded by these queues, not by how fast this machine happens to run.
  assert.equal(
    source.maxOutputBacklogBuffers,
    DEFAULT_NETWORK_SETTINGS.backlogBuffersPerChannel,
    "the producer backlog reached its limit and stopped there",
  );
  assert.ok(
    sink.maxInputQueueBuffers <= DEFAULT_NETWORK_SETTINGS.creditsPerChannel,
    `consumer queue ${sink.maxInputQueueBuffers} over the credit limit`,
  );
  assert.ok(source.backpressuredMs > 0, "the source never waited for credit");
  console.log(`peak RSS ${/peak-rss (\d+)/.exec(res.stderr)?.[1]} bytes (not asserted)`);
});

Deno.test("network limits are job settings: --buffer-size sizes the buffers", async () => {
  const res = await runCli([
    "run",
    jobPath("backpressure.ts"),
    "--json",
    "--credits-per-channel",
    "3",
    "--buffer-size",
    "4096",
    "--",
    "--records",
    "20000",
    "--record-bytes",
    "200",
    "--sink-delay-us",
    "20",
  ]);
  assert.equal(res.code, 0, res.stderr);
  const summary = runSummary(res);
  const [source, sink] = summary.vertices;
  assert.equal(sink.recordsIn, 20_000);
  // ~4.1 MB: at most 4 KiB per buffer means at least ~1000 buffers (the default 32 KiB: ~130).
  assert.ok(
    source.buffersOut >= source.bytesOut / 4096,
    `${source.buffersOut} buffers for ${source.bytesOut} bytes`,
  );
  const bad = await runCli(["plan", jobPath("backpressure.ts"), "--buffer-size", "10"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--buffer-size must be at least 256 bytes, got 10/);
  const badSlice = await runCli(["plan", jobPath("backpressure.ts"), "--task-slice-ms", "0"]);
  assert.equal(badSlice.code, 2);
  assert.match(badSlice.stderr, /--task-slice-ms must be a positive integer, got '0'/);
});

Deno.test("a channel within one slot has its own batch size and credit window", async () => {
  const run = (flags: string[]) =>
    runCli([
      "run",
      jobPath("backpressure.ts"),
      "--json",
      ...flags,
      "--",
      "--records",
      "20000",
      "--record-bytes",
      "100",
      "--sink-delay-us",
      "20",
      "--same-slot",
    ]);
  const summaryOf = (res: CliResult) => {
    assert.equal(res.code, 0, res.stderr);
    return runSummary(res);
  };
  const defaults = summaryOf(await run([]));
  assert.equal(defaults.slots, 1, "source and sink share a slot");
  const [source, sink] = defaults.vertices;
  assert.equal(sink.recordsIn, 20_000);
  assert.equal(source.bytesOut, 0, "records within a slot are not encoded");
  assert.ok(
    sink.maxInputQueueBuffers <= DEFAULT_NETWORK_SETTINGS.creditsPerInSlotChannel,
    `consumer queue ${sink.maxInputQueueBuffers} over the in-slot window`,
  );
  assert.ok(
    source.buffersOut >= 20_000 / DEFAULT_NETWORK_SETTINGS.inSlotBatchRecords,
    `${source.buffersOut} batches`,
  );
  const tuned = summaryOf(
    await run(["--in-slot-batch-records", "50", "--credits-per-in-slot-channel", "2"]),
  );
  assert.ok(tuned.vertices[1].maxInputQueueBuffers <= 2, "the window is the flag's");
  assert.ok(tuned.vertices[0].buffersOut >= 20_000 / 50, `${tuned.vertices[0].buffersOut} batches`);
  assert.ok(tuned.vertices[1].maxInputQueueBuffers >= 1);
});
