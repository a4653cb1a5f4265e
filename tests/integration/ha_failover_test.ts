/**
 * Failover with real processes: a real etcd, 2 masters with `--ha etcd`
 * (session TTL 2 s) sharing blobs and checkpoints (in a directory, or on a
 * real s3rver as s3://), 3 workers given both masters,
 * and the exactly-once keyed count at parallelism 4 with checkpoints, run by
 * `spate run --master A,B`. The leader is killed (-9) mid-job; the
 * standby is elected, resumes the job (same id) from its latest checkpoint
 * without resubmission, the workers re-register with it, the client follows
 * the job there. The killed master is started again (a standby now) and
 * the new leader is killed in turn: the restarted one takes over the same
 * way. The client exits with the job's result, and the output is exactly the
 * reference. Prints, per failover, the time from the kill to the job running
 * again: detection, election (including the job store read), restore.
 * Every wait is on a condition with a deadline.
 *
 * Without an etcd binary the test reports itself skipped with the reason.
 */

import assert from "node:assert/strict";
import { runSummary } from "../_helpers/cli.ts";
import { freePort, type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import {
  getJson,
  haMasterArgs,
  haView,
  jobRunning,
  runHaKeyedCount,
  when,
} from "../_helpers/ha_cluster.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../_helpers/s3rver.ts";
import { assertExactlyCommitted, expectedCountLines } from "../_helpers/keyed_count.ts";

const skipReason = etcdSkipReason();
if (skipReason) console.log(`HA failover test skipped: ${skipReason}`);

const EVENTS = 150_000;
const KEYS = 500;
// events/s overall: the job runs >= 15 s (longer with each restore), both failovers (~3 s each
// with a 2 s TTL, plus 2 checkpoints before each) happen inside.
const RATE = 10_000;
const TTL_MS = 2000;

/** Where blobs and checkpoints go: a directory all processes share, or s3rver. */
type Storage = "dir" | "s3";

for (const storage of ["dir", "s3"] as const) {
  Deno.test({
    name:
      `HA failover (${storage}): kill -9 the leader mid-job, then the new leader with the old ` +
      "one back; the job resumes each time and finishes exactly once",
    ignore: skipReason !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () => chaos(storage),
  });
}

async function chaos(storage: Storage) {
  const etcd = await startEtcd();
  const s3 = storage === "s3" ? await startS3rver(["spate"]) : undefined;
  const root = await Deno.makeTempDir({ prefix: "spate-ha-" });
  const shared = s3 === undefined ? root : "s3://spate";
  const s3Flags = s3 === undefined ? [] : [
    "--s3-endpoint",
    s3.endpoint,
    "--s3-access-key",
    S3RVER_CREDENTIALS.accessKeyId,
    "--s3-secret-key",
    S3RVER_CREDENTIALS.secretAccessKey,
  ];
  const urls = [freePort(), freePort()].map((p) => `http://127.0.0.1:${p}`);
  const procs: SpateProcess[] = [];
  const master = (url: string) =>
    spawnSpate(haMasterArgs({
      port: Number(new URL(url).port),
      etcd: etcd.clientUrl,
      clusterId: "chaos",
      ttlMs: TTL_MS,
      storage: `${shared}/ha`,
      more: s3Flags,
    }));
  try {
    const masters = urls.map(master);
    procs.push(...masters);
    let leader = "";
    await waitFor("a leader", async () => {
      for (const u of urls) {
        if ((await haView(u)).isLeader) leader = u;
      }
      return leader !== "";
    }, 30_000);
    const standby = urls.find((u) => u !== leader)!;
    for (let i = 0; i < 3; i++) {
      procs.push(spawnSpate(
        [
          "worker",
          "--master",
          urls.join(","),
          "--slots",
          "2",
          "--work-dir",
          `${root}/worker-${i}`,
        ],
        undefined,
        s3?.env,
      ));
    }
    await waitFor(
      "3 workers registered with the leader",
      async () => (await getJson(`${leader}/api/v1/overview`)).taskmanagers === 3,
      30_000,
    );

    const out = `${root}/out`;
    // The client is given both masters: it follows its job across the failover.
    const run = runHaKeyedCount(
      urls.join(","),
      `${shared}/checkpoints`,
      ["--restart-strategy", "fixed-delay:20:200"],
      { events: EVENTS, keys: KEYS, rate: RATE, out: `${out}/data` },
    );
    let jobId = "";
    await when("the job submitted to the leader", async () => {
      const jobs = (await getJson(`${leader}/api/v1/jobs`)).jobs;
      jobId = jobs[0]?.id ?? "";
      return jobId !== "";
    }, 60_000);
    await when("2 completed checkpoints", () => jobRunning(leader, jobId, 2), 60_000);

    /** Kills the leader at `from` (-9); times until `to` runs the job again. */
    const failover = async (from: string, to: string) => {
      const proc = masters[urls.indexOf(from)];
      proc.kill("SIGKILL");
      const killedMs = performance.now();
      await proc.child.status;
      const detectedMs = await when(
        `${to} sees the leader gone`,
        async () => (await haView(to)).leader !== from,
        30_000,
      );
      const electedMs = await when(
        `${to} leads and serves`,
        async () => (await haView(to)).isLeader,
        30_000,
      );
      const runningMs = await when(
        `the job running again at ${to}`,
        () => jobRunning(to, jobId),
        60_000,
      );
      const ms = (a: number, b: number) => Math.round(b - a);
      return {
        totalMs: ms(killedMs, runningMs),
        detectionMs: ms(killedMs, detectedMs),
        electionMs: ms(detectedMs, electedMs),
        restoreMs: ms(electedMs, runningMs),
      };
    };
    const timings = [await failover(leader, standby)];
    // The old leader comes back as a standby; then the new leader is killed too.
    masters[urls.indexOf(leader)] = master(leader);
    procs.push(masters[urls.indexOf(leader)]);
    await when(
      "the restarted master stands by",
      async () => (await haView(standby)).standbys.includes(leader),
      30_000,
    );
    await when(
      "2 completed checkpoints at the new leader",
      () => jobRunning(standby, jobId, 2),
      60_000,
    );
    timings.push(await failover(standby, leader));
    for (const [n, t] of timings.entries()) {
      console.log(
        `failover ${n + 1}: kill -> job RUNNING ${t.totalMs} ms (detection ${t.detectionMs} ms, ` +
          `election ${t.electionMs} ms, restore ${t.restoreMs} ms; session TTL ${TTL_MS} ms)`,
      );
    }
    const final = leader;
    const res = await run;
    assert.equal(res.code, 0, res.stderr);
    const summary = runSummary(res);
    assert.deepEqual([summary.jobId, summary.state], [jobId, "FINISHED"]);
    assert.equal((await getJson(`${final}/api/v1/jobs/${jobId}`)).state, "FINISHED");
    await assertExactlyCommitted(`${out}/data`, expectedCountLines(EVENTS, KEYS));
    for (const t of timings) assert.ok(t.totalMs < 10_000, `failover within 10 s: ${t.totalMs}`);
    // Each new leader resumed the job from a checkpoint (not from its start).
    for (const u of [standby, leader]) {
      const log = masters[urls.indexOf(u)].stderr();
      assert.match(log, new RegExp(`resuming job ${jobId} \\(.*\\) from checkpoint \\d+`));
    }
  } catch (e) {
    for (const [i, p] of procs.entries()) console.error(`--- process ${i}:\n${p.stderr()}`);
    throw e;
  } finally {
    for (const p of procs) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.child.status));
    await etcd.close();
    await s3?.stop();
    await Deno.remove(root, { recursive: true });
  }
}
