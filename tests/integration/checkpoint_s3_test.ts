/**
 * Checkpoints and savepoints on an S3-compatible store (a real s3rver on
 * loopback), with real processes. The master is given the store by flags,
 * the workers by the AWS environment variables. A keyed count checkpoints
 * into `s3://spate/checkpoints` while a worker is killed (-9) twice; it
 * restores from S3 and commits exactly the reference output. A savepoint
 * goes to `s3://spate/savepoints` and the job resumes from it at another
 * parallelism with the same exact output. A local run takes the store from
 * its flags alone (its slots get them from their worker), and a missing
 * bucket fails the job with a message naming it.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster } from "../_helpers/cluster.ts";
import { jobDetails, runWithKills } from "../_helpers/kills.ts";
import {
  committedLines,
  compareCounts,
  expectedCountLines,
  keyedCountRun,
} from "../_helpers/keyed_count.ts";
import { cancelWithSavepoint } from "../_helpers/savepoints.ts";
import { type S3rver, S3RVER_CREDENTIALS, startS3rver } from "../_helpers/s3rver.ts";
import { S3FileSystem } from "../../core/fs/s3_file_system.ts";

const EVENTS = 60_000;
const KEYS = 300;

/** A cluster whose master takes the store from flags and whose workers take it from the environment. */
function s3Cluster(s3: S3rver, workers: number): Promise<TestCluster> {
  const flags = [
    "--s3-endpoint",
    s3.endpoint,
    "--s3-access-key",
    S3RVER_CREDENTIALS.accessKeyId,
    "--s3-secret-key",
    S3RVER_CREDENTIALS.secretAccessKey,
  ];
  return startCluster(workers, 2, flags, undefined, { workerEnv: s3.env });
}

/**
 * Watches the store for the completed checkpoints (a `_metadata`) of the job
 * running on `cluster` under `root`, until stopped. (The job's directory is
 * listed, not `root`: s3rver lists a prefix only when an object lies directly
 * under it.)
 */
function watchCompleted(fs: S3FileSystem, cluster: TestCluster, root: string) {
  const seen = new Set<string>();
  let jobId: string | undefined;
  let running = true;
  const done = (async () => {
    while (running) {
      jobId ??= (await jobDetails(cluster.url).catch(() => undefined))?.jid;
      for (const chk of jobId ? await fs.list(`${root}/${jobId}`).catch(() => []) : []) {
        const path = `${root}/${jobId}/${chk.name}/_metadata`;
        if (!seen.has(path) && await fs.stat(path).catch(() => undefined)) seen.add(path);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    seen,
    jobDir: () => `${root}/${jobId}`,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** The committed lines are exactly those of an uninterrupted run over `events`. */
function assertExact(lines: Map<string, number>, events: number, what: string): void {
  const diff = compareCounts(lines, expectedCountLines(events, KEYS));
  assert.deepEqual(
    { missing: diff.missing.length, duplicated: diff.duplicated, unexpected: diff.unexpected },
    { missing: 0, duplicated: 0, unexpected: [] },
    what,
  );
}

Deno.test("exactly-once with checkpoints on S3: kill -9 a worker twice; restored from S3, the output is exact", async () => {
  const s3 = await startS3rver(["spate"]);
  const cluster = await s3Cluster(s3, 3);
  const out = await Deno.makeTempDir({ prefix: "spate-s3-eo-" });
  const fs = S3FileSystem.create({ endpoint: s3.endpoint, ...S3RVER_CREDENTIALS });
  const watch = watchCompleted(fs, cluster, "s3://spate/checkpoints");
  try {
    const res = await runWithKills(
      cluster,
      keyedCountRun(cluster.url, [
        "-p",
        "4",
        "--checkpoint-interval",
        "500",
        "--checkpoint-dir",
        "s3://spate/checkpoints",
        "--restart-strategy",
        "fixed-delay:10:200",
      ], { events: EVENTS * 2, keys: KEYS, rate: 12_000, out }),
      2,
    );
    await watch.stop();
    assert.ok(watch.seen.size >= 2, `completed checkpoints seen on S3: ${[...watch.seen]}`);
    assert.doesNotMatch(res.stderr, /corrupt/);
    assertExact(await committedLines(out), EVENTS * 2, "after 2 kills");
    // A finished job's checkpoints are deleted, on S3 as on a disk.
    assert.deepEqual(await fs.list(watch.jobDir()), []);
  } finally {
    await watch.stop();
    await cluster.stop();
    await s3.stop();
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("a savepoint to s3://, resumed from it at another parallelism: the output is exact", async () => {
  const s3 = await startS3rver(["spate"]);
  const cluster = await s3Cluster(s3, 2);
  const root = await Deno.makeTempDir({ prefix: "spate-s3-sp-" });
  const fs = S3FileSystem.create({ endpoint: s3.endpoint, ...S3RVER_CREDENTIALS });
  try {
    const out = `${root}/out`;
    const savepoint = await cancelWithSavepoint(cluster, out, "s3://spate/savepoints", {
      events: EVENTS,
      keys: KEYS,
      flags: ["--checkpoint-dir", "s3://spate/checkpoints"],
    });
    const files = (await fs.list(savepoint)).map((e) => e.name);
    assert.ok(files.includes("_metadata") && files.some((f) => f.endsWith(".state")), `${files}`);
    const before = [...(await committedLines(out)).values()].reduce((a, b) => a + b, 0);
    assert.ok(before > 0 && before < EVENTS, `committed before the resume: ${before}`);
    const res = await runCli(keyedCountRun(cluster.url, [
      "-p",
      "3",
      "--from-savepoint",
      savepoint,
    ], { events: EVENTS, keys: KEYS, out }));
    assert.equal(res.code, 0, res.stderr);
    assertExact(await committedLines(out), EVENTS, "resumed at parallelism 3");
    // The savepoint outlives the job that resumed from it.
    assert.ok((await fs.stat(`${savepoint}/_metadata`)) !== undefined);
  } finally {
    await cluster.stop();
    await s3.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("spate run --local with --s3-* flags: its slots checkpoint to S3; a missing bucket fails the job, naming it", async () => {
  const s3 = await startS3rver(["spate"]);
  const root = await Deno.makeTempDir({ prefix: "spate-s3-local-" });
  // Flags only: the run's environment has no AWS variables, so the slots get the flags from their worker.
  const flags = (dir: string) => [
    "-p",
    "2",
    "--checkpoint-interval",
    "200",
    "--checkpoint-dir",
    dir,
    "--s3-endpoint",
    s3.endpoint,
    "--s3-access-key",
    S3RVER_CREDENTIALS.accessKeyId,
    "--s3-secret-key",
    S3RVER_CREDENTIALS.secretAccessKey,
  ];
  try {
    const ok = await runCli(keyedCountRun(undefined, flags("s3://spate/local"), {
      events: 20_000,
      keys: KEYS,
      rate: 10_000,
      out: `${root}/ok`,
    }));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /Checkpoint \d+ completed/);
    const diff = compareCounts(
      await committedLines(`${root}/ok`),
      expectedCountLines(20_000, KEYS),
    );
    assert.deepEqual([diff.missing.length, diff.duplicated, diff.unexpected.length], [0, 0, 0]);

    const missing = await runCli(keyedCountRun(undefined, flags("s3://no-such-bucket/chk"), {
      events: 1_000_000,
      keys: KEYS,
      rate: 10_000,
      out: `${root}/missing`,
    }));
    assert.equal(missing.code, 1, missing.stderr);
    assert.match(missing.stderr, /bucket 'no-such-bucket' does not exist at endpoint http:\/\/127/);
    assert.match(
      missing.stderr,
      /create it \(aws s3 mb s3:\/\/no-such-bucket\) or fix the location/,
    );
  } finally {
    await s3.stop();
    await Deno.remove(root, { recursive: true });
  }
});
