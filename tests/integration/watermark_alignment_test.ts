import assert from "node:assert/strict";
import { runJobModule } from "../_helpers/run_job.ts";

type Out = { results: { spread: number; received: number }[] };
const EVENTS = 20_000;

/** The largest spread the receiver saw between the two sources' event time. */
async function spread(args: string[]): Promise<number> {
  const { module } = await runJobModule<Out>("aligned_sources.ts", [
    "--events",
    String(EVENTS),
    ...args,
  ]);
  assert.equal(module.results.length, 1, "the receiver got every record of both sources");
  assert.equal(module.results[0].received, 2 * EVENTS);
  return module.results[0].spread;
}

Deno.test({
  name: "watermark alignment: a fast source waits for a slow one of its group, within the drift",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // The slow subtask spins 50 µs per record: ~1 s for its 20,000 (one per ms of event time).
    const free = await spread(["--slow-us", "50"]);
    const aligned = await spread(["--slow-us", "50", "--align-drift-ms", "500"]);
    // Unaligned, the fast source is through its input while the slow one has barely begun.
    console.log(`spreads: free ${free} ms, aligned ${aligned} ms`);
    assert.ok(free > 10_000, `unaligned spread ${free} ms`);
    // Aligned: the drift, plus what the slow source has read and not yet delivered
    // (records in its output buffer, at most a buffer's worth; 2,000 is generous).
    assert.ok(aligned <= 500 + 2_000, `aligned spread ${aligned} ms`);
  },
});

Deno.test({
  name: "watermark alignment after an exchange fails the job, saying where the strategy must go",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await assert.rejects(
      () => spread(["--align-drift-ms", "500", "--misplaced"]),
      /withWatermarkAlignment needs the watermark strategy in a source's chain/,
    );
  },
});
