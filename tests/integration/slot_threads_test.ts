import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import {
  assertExactlyCommitted,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";

const EVENTS = 20_000, KEYS = 50;

/**
 * The keyed count at parallelism 4 on a local cluster of 4 slots on
 * `threads` Web Workers, checkpointed every 200 ms; checks the committed
 * counts are exact and hands the run's stderr to `check`.
 */
async function keyedCountOnThreads(threads: number, check: (stderr: string) => void) {
  const dir = await Deno.makeTempDir({ prefix: "spate-slot-threads-" });
  try {
    const res = await runCli(keyedCountRun(undefined, [
      "-p",
      "4",
      "--slots",
      "4",
      "--slot-threads",
      String(threads),
      "--checkpoint-interval",
      "200",
      "--checkpoint-dir",
      `${dir}/checkpoints`,
    ], { events: EVENTS, keys: KEYS, rate: 20_000, out: `${dir}/out` }));
    assert.equal(res.code, 0, res.stderr);
    check(res.stderr);
    await assertExactlyCommitted(`${dir}/out`, expectedCountLines(EVENTS, KEYS));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("--slot-threads 2 at parallelism 4 (slots share Web Workers): checkpoints complete and the keyed counts are exact", async () => {
  await keyedCountOnThreads(2, (stderr) => assert.match(stderr, /Checkpoint \d+ completed/));
});

Deno.test("--slot-threads 1 at parallelism 4: each slot still has its own instance of the job module (its top-level variables)", async () => {
  const res = await runCli([
    "run",
    jobPath("module_instances.ts"),
    "--local",
    "-p",
    "4",
    "--slots",
    "4",
    "--slot-threads",
    "1",
  ]);
  assert.equal(res.code, 0, res.stderr);
  const counts = JSON.parse(/opened-per-instance (\[.*\])/.exec(res.stdout)![1]);
  assert.deepEqual(counts, [1, 1, 1, 1]);
});

Deno.test("--slot-threads 1 at parallelism 4: channels between slots of one Web Worker stay in the thread (no bytes serialized) and the keyed counts are exact", async () => {
  // The keyBy exchange serialized nothing: every channel's ends share the one Web Worker.
  await keyedCountOnThreads(
    1,
    (stderr) => assert.match(stderr, /Source: Generator Source\s+4\s+[\d,]+\s+[\d,]+\s+0 B\s+0 B/),
  );
});
