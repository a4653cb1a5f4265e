/** Ctrl-C on `spate run`: it says what it did, and where the job's checkpoints are kept. */

import assert from "node:assert/strict";
import { jobPath, spawnCli } from "../_helpers/cli.ts";
import { waitFor } from "../_helpers/cluster.ts";

Deno.test("Ctrl-C on a local run: exit 130, the job cancelled, its newest checkpoint named for --from-savepoint", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-int-" });
  const job = jobPath("slow_count.ts");
  const run = spawnCli([
    "run",
    job,
    "--mode",
    "streaming",
    "--checkpoint-interval",
    "100",
    "--checkpoint-dir",
    `${dir}/chk`,
    "--",
    "--records",
    "100000000",
    "--output",
    `${dir}/out`,
  ]);
  try {
    await waitFor("a checkpoint to complete", () => /Checkpoint \d+ completed/.test(run.stderr()));
    run.child.kill("SIGINT");
    assert.equal((await run.child.status).code, 130);
    await run.stderrClosed;
    const m = run.stderr().match(
      /\ninterrupted \(SIGINT\): cancelled job 'slow-count' \(([0-9a-f]{32})\) and stopped the local cluster\nits checkpoints are kept in (\S+); resume from the newest:\n {2}spate run (\S+) --from-savepoint (\S+) \(and the same flags and job arguments\)\n$/,
    );
    assert.ok(m, run.stderr());
    const [, jobId, kept, path, newest] = m;
    assert.equal(kept, `${dir}/chk/${jobId}`);
    assert.equal(path, job);
    assert.match(newest, new RegExp(`^${kept}/chk-\\d+$`));
    assert.ok((await Deno.stat(`${newest}/_metadata`)).isFile, "the named checkpoint is complete");
  } finally {
    try {
      run.child.kill("SIGKILL");
    } catch { /* ended */ }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Ctrl-C before a local job took a checkpoint says none is kept", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-int-" });
  const run = spawnCli([
    "run",
    jobPath("slow_count.ts"),
    "--mode",
    "streaming",
    "--checkpoint-interval",
    "3600000",
    "--checkpoint-dir",
    `${dir}/chk`,
    "--",
    "--records",
    "100000000",
    "--output",
    `${dir}/out`,
  ]);
  try {
    await waitFor("the job to run", () => /RUNNING/.test(run.stderr()));
    run.child.kill("SIGTERM");
    assert.equal((await run.child.status).code, 130);
    await run.stderrClosed;
    assert.match(
      run.stderr(),
      /\ninterrupted \(SIGTERM\): cancelled job 'slow-count' \([0-9a-f]{32}\) and stopped the local cluster\nno checkpoint had completed, so none is kept\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
