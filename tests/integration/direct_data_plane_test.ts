/**
 * The direct data plane (`--data-plane direct`) on real worker processes:
 * each slot serves the channels it produces on a listener of its own and the
 * consuming slot dials it, so no buffer crosses a worker's main thread.
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, spateArgs } from "../_helpers/cli.ts";
import { startCluster, type TestCluster } from "../_helpers/cluster.ts";
import { assertWordCountAcross, slotListeners } from "../_helpers/wordcount_across.ts";
import { assertBackpressureAcrossWorkers } from "../_helpers/backpressure_run.ts";

const DIRECT = { workerArgs: ["--data-plane", "direct"] };

/** The slot listeners the workers' logs announced, all together. */
const allListeners = (cluster: TestCluster) => slotListeners(cluster).flat();

Deno.test("direct data plane: WordCount at parallelism 4 on 2 workers x 2 slots equals the reference", async () => {
  const cluster = await startCluster(2, 2, [], undefined, DIRECT);
  try {
    await assertWordCountAcross(cluster, 2, 300_000);
    // Every slot produces for a consumer in the other worker: each listens on a port of its own.
    const listeners = new Set(allListeners(cluster));
    assert.equal(listeners.size, 4, `slot listeners: ${[...listeners].join(", ")}`);
    for (const l of listeners) assert.match(l, /^http:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await cluster.stop();
  }
});

Deno.test("--data-plane relay: the same job crosses the workers' data servers, no slot listens", async () => {
  const cluster = await startCluster(2, 2, [], undefined, {
    workerArgs: ["--data-plane", "relay"],
  });
  try {
    await assertWordCountAcross(cluster, 2, 300_000);
    assert.deepEqual(allListeners(cluster), []);
  } finally {
    await cluster.stop();
  }
});

Deno.test("direct data plane: a slow sink on one worker holds back the source on another", async () => {
  const cluster = await startCluster(2, 1, [], undefined, DIRECT);
  try {
    await assertBackpressureAcrossWorkers(cluster);
    assert.equal(allListeners(cluster).length, 1, "the source's slot served the channel");
  } finally {
    await cluster.stop();
  }
});

Deno.test("--data-plane and $SPATE_DATA_PLANE take relay or direct only: usage errors naming them", async () => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [["--data-plane", "bogus"], {}, /--data-plane must be relay or direct, got 'bogus'/],
    [[], { SPATE_DATA_PLANE: "bogus" }, /\$SPATE_DATA_PLANE 'bogus' is not a data plane/],
  ];
  for (const [args, env, message] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: spateArgs(["worker", "--master", "127.0.0.1:1", ...args]),
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, stderr);
    assert.match(stderr, message);
  }
});
