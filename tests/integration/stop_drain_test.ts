/**
 * `spate stop` on a real cluster, with an event-time job (tumbling and
 * sliding windows, event-time timers) and the exactly-once file sink: without
 * --drain the job is suspended (the last windows do not fire: their state is
 * in the savepoint), with --drain every window fires before the savepoint,
 * so the committed output is exactly that of a run over the events emitted.
 * Also `spate list` filters and `spate savepoint --dispose`.
 */

import assert from "node:assert/strict";
import { jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { expectedEventTimeLines } from "../_helpers/event_time_sums.ts";
import { committedLines, compareCounts, keyedCountRun } from "../_helpers/keyed_count.ts";
import { runningJob, savepointLocation } from "../_helpers/savepoints.ts";

const KEYS = 4;
const BUCKET_MS = 1000;

let cluster: TestCluster;

/** Runs the event-time job until it emitted 5000 events, stops it; returns what it left. */
async function stopped(dir: string, drain: boolean) {
  const out = `${dir}/out-${drain ? "drain" : "suspend"}`;
  const run = spawnCli([
    "run",
    jobPath("event_time_sums.ts"),
    "--master",
    cluster.url,
    "-p",
    "1",
    "--mode",
    "streaming",
    "--",
    "--events",
    "100000000",
    "--keys",
    String(KEYS),
    "--rate",
    "4000",
    "--out",
    out,
  ]);
  const jobId = await runningJob(cluster, 5_000);
  const m = ["--master", cluster.url];
  const listed = await runCli(["list", ...m, "--running"]);
  assert.match(listed.stdout, new RegExp(`${jobId}  RUNNING`));
  assert.equal((await runCli(["list", ...m, "--scheduled"])).stdout, "no jobs\n");
  const savepoints = `${dir}/savepoints`;
  const stop = await runCli([
    "stop",
    jobId,
    ...m,
    "--dir",
    savepoints,
    ...drain ? ["--drain"] : [],
  ]);
  assert.equal(stop.code, 0, stop.stderr);
  const location = savepointLocation(stop.stdout, savepoints, jobId);
  assert.match(stop.stdout, /it ends FINISHED/);
  assert.equal((await run.child.status).code, 0);
  await run.stderrClosed;
  assert.match(run.stderr(), /FINISHED/);
  const details = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
  assert.equal(details.state, "FINISHED");
  // The events the source emitted: a prefix of the generator's (parallelism 1).
  const targets = new Set(details.edges.map((e: { target: number }) => e.target));
  const source = details.vertices.find((v: { id: number }) => !targets.has(v.id));
  const events = source.recordsIn as number;
  assert.ok(events > 5_000, `${events} events`);
  assert.doesNotMatch((await runCli(["list", ...m])).stdout, new RegExp(jobId));
  assert.match((await runCli(["list", ...m, "--all"])).stdout, new RegExp(`${jobId}  FINISHED`));
  return { jobId, location, events, out, lines: await committedLines(out) };
}

Deno.test("spate stop: --drain fires the final windows, without it they stay in the savepoint", async (t) => {
  cluster = await startCluster(1, 2);
  const dir = await Deno.makeTempDir({ prefix: "spate-stop-" });
  try {
    await t.step("a job waiting for slots is listed as scheduled, not running", async () => {
      const m = ["--master", cluster.url];
      const submitted = await runCli([
        ...keyedCountRun(cluster.url, ["-p", "3", "--detached", "--slot-timeout", "60000"], {
          events: 1000,
          out: `${dir}/waiting`,
        }),
      ]);
      assert.equal(submitted.code, 0, submitted.stderr);
      const jobId = submitted.stdout.trim();
      await waitFor(
        "the job to be listed",
        async () =>
          (await runCli(["list", ...m, "--scheduled"])).stdout.includes(`${jobId}  CREATED`),
      );
      assert.doesNotMatch((await runCli(["list", ...m, "--running"])).stdout, new RegExp(jobId));
      assert.match((await runCli(["list", ...m])).stdout, new RegExp(`${jobId}  CREATED`));
      assert.equal((await runCli(["cancel", jobId, ...m])).code, 0);
    });

    let drainedSavepoint = "";
    await t.step("stop without --drain: the last windows do not fire", async () => {
      const r = await stopped(dir, false);
      const expected = expectedEventTimeLines(r.events, KEYS);
      const { missing, duplicated, unexpected } = compareCounts(r.lines, expected);
      assert.deepEqual([duplicated, unexpected], [0, []], "what fired is right");
      const last = Math.floor((r.events - 1) / BUCKET_MS) * BUCKET_MS;
      const lastWindows = missing.filter((l) => l.startsWith("window,") && l.includes(`,${last},`));
      assert.ok(lastWindows.length > 0, `the windows of bucket ${last} did not fire`);
      assert.ok(
        [...r.lines.keys()].every((l) => !l.includes(`,${last},`)),
        `no line of bucket ${last} was committed`,
      );
      console.log(
        `suspend: ${r.events} events, ${r.lines.size} lines committed, ${missing.length} ` +
          `not fired (of ${expected.size})`,
      );
    });

    await t.step("stop --drain: every window fires, the output is complete", async () => {
      const r = await stopped(dir, true);
      drainedSavepoint = r.location;
      const expected = expectedEventTimeLines(r.events, KEYS);
      const { missing, duplicated, unexpected } = compareCounts(r.lines, expected);
      assert.deepEqual({ missing, duplicated, unexpected }, {
        missing: [],
        duplicated: 0,
        unexpected: [],
      });
      console.log(`drain: ${r.events} events, all ${expected.size} lines committed`);
    });

    await t.step("savepoint --dispose deletes a savepoint and refuses anything else", async () => {
      const notOne = await runCli(["savepoint", "--dispose", `${dir}/out-drain`]);
      assert.equal(notOne.code, 1);
      assert.match(notOne.stderr, /is not a savepoint \(.*no _metadata.*\): nothing deleted/);
      assert.ok(Deno.statSync(`${dir}/out-drain`).isDirectory, "left alone");
      const usage = await runCli(["savepoint", "abc", "--dispose", drainedSavepoint]);
      assert.equal(usage.code, 2);
      const res = await runCli(["savepoint", "--dispose", drainedSavepoint]);
      assert.equal(res.code, 0, res.stderr);
      assert.equal(res.stdout, `Savepoint ${drainedSavepoint} disposed\n`);
      assert.throws(() => Deno.statSync(drainedSavepoint), Deno.errors.NotFound);
    });
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
