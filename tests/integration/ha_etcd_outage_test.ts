/**
 * HA masters and etcd trouble, with real processes:
 * - etcd down for 5 s while a job runs (lease TTL 20 s: renewed every third
 *   of it, so it outlasts the outage however late the last renewal was): the
 *   leader keeps leading with the same term, the job never
 *   leaves RUNNING, checkpoints that complete while the job store is
 *   unreachable are refused (the job tolerates them), new ones complete
 *   once etcd is back, and the job finishes exactly once;
 * - a master pointed at an etcd that does not answer says so, one line per
 *   retry with a growing pause, serves 503 meanwhile, and leads once etcd
 *   comes up;
 * - masters of two cluster ids on one etcd each lead their own cluster and
 *   never see each other.
 *
 * Without an etcd binary the tests report themselves skipped with the reason.
 */

import assert from "node:assert/strict";
import { runSummary } from "../_helpers/cli.ts";
import { freePort, type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { EtcdServer, etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import {
  getJson,
  haMasterArgs,
  haView,
  jobRunning,
  runHaKeyedCount,
  when,
} from "../_helpers/ha_cluster.ts";
import { assertExactlyCommitted, expectedCountLines } from "../_helpers/keyed_count.ts";

const skipReason = etcdSkipReason();
if (skipReason) console.log(`HA etcd outage tests skipped: ${skipReason}`);
const ignore = skipReason !== undefined;

/** Kills every process, printing their logs first if the test failed. */
async function stopAll(procs: SpateProcess[], failed: boolean): Promise<void> {
  if (failed) {
    for (const [i, p] of procs.entries()) console.error(`--- process ${i}:\n${p.stderr()}`);
  }
  for (const p of procs) p.kill("SIGKILL");
  await Promise.all(procs.map((p) => p.child.status));
}

Deno.test({
  name: "HA: etcd down for 5 s while a job runs: same leader and term, the job keeps running, " +
    "nothing lost",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const EVENTS = 128_000; // at 8,000/s: >= 16 s, the outage and a checkpoint after it inside
    const KEYS = 300;
    const etcd = await startEtcd();
    const dir = await Deno.makeTempDir({ prefix: "spate-ha-outage-" });
    const procs: SpateProcess[] = [];
    let failed = true;
    try {
      const urls = [freePort(), freePort()].map((p) => `http://127.0.0.1:${p}`);
      for (const u of urls) {
        procs.push(spawnSpate(haMasterArgs({
          port: Number(new URL(u).port),
          etcd: etcd.clientUrl,
          clusterId: "outage",
          ttlMs: 20_000,
          storage: `${dir}/ha`,
        })));
      }
      let leader = "";
      await when("a leader", async () => {
        for (const u of urls) if ((await haView(u)).isLeader) leader = u;
        return leader !== "";
      }, 30_000);
      for (let i = 0; i < 2; i++) {
        procs.push(spawnSpate([
          "worker",
          "--master",
          urls.join(","),
          "--slots",
          "2",
          "--work-dir",
          `${dir}/worker-${i}`,
        ]));
      }
      await waitFor(
        "2 workers registered",
        async () => (await getJson(`${leader}/api/v1/overview`)).taskmanagers === 2,
        30_000,
      );
      const term = (await haView(leader)).term;
      const out = `${dir}/out`;
      const run = runHaKeyedCount(
        urls.join(","),
        `${dir}/checkpoints`,
        // Checkpoints cannot be recorded while the job store is down: the job rides that out.
        ["--tolerable-checkpoint-failures", "1000"],
        { events: EVENTS, keys: KEYS, rate: 8_000, out: `${out}/data` },
      );
      let jobId = "";
      await when("the job submitted", async () => {
        jobId = (await getJson(`${leader}/api/v1/jobs`)).jobs[0]?.id ?? "";
        return jobId !== "";
      }, 60_000);
      await when("2 completed checkpoints", () => jobRunning(leader, jobId, 2), 60_000);

      const completed = async () =>
        (await getJson(`${leader}/api/v1/jobs/${jobId}`)).checkpoints
          .filter((c: { status: string }) => c.status === "COMPLETED").length;
      await etcd.stop();
      const downAt = performance.now();
      const before = await completed();
      let polls = 0;
      // Throughout the outage: the same leader, and every subtask RUNNING.
      while (performance.now() - downAt < 5_000) {
        assert.ok(await jobRunning(leader, jobId), "the job runs while etcd is down");
        assert.equal((await haView(leader)).isLeader, true, "the leader still leads");
        polls++;
        await new Promise((r) => setTimeout(r, 100));
      }
      const during = await completed();
      const refused = (await getJson(`${leader}/api/v1/jobs/${jobId}`)).checkpoints.filter(
        (c: { status: string; failureReason?: string }) =>
          c.status === "FAILED" && /could not be recorded as completed/.test(c.failureReason ?? ""),
      );
      await etcd.start();
      await when(
        "a checkpoint completes again after etcd is back",
        async () => await completed() > during,
        30_000,
      );
      assert.ok(polls >= 10, `the outage was watched (${polls} polls)`);
      assert.ok(
        during - before <= 1,
        `no checkpoint completed without the store (${before} -> ${during})`,
      );
      const view = await haView(leader);
      assert.deepEqual([view.isLeader, view.term], [true, term], "same leader, same term");

      const res = await run;
      assert.equal(res.code, 0, res.stderr);
      assert.equal(runSummary(res).state, "FINISHED");
      await assertExactlyCommitted(`${out}/data`, expectedCountLines(EVENTS, KEYS));
      const leaderLog = procs[urls.indexOf(leader)].stderr();
      assert.doesNotMatch(leaderLog, /lost leadership/);
      assert.ok(refused.length > 0, "checkpoints failed while the job store was unreachable");
      failed = false;
    } finally {
      await stopAll(procs, failed);
      await etcd.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "HA: a master whose etcd does not answer says so with a growing pause, serves 503, and " +
    "leads once etcd is up",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-ha-noetcd-" });
    const etcd = new EtcdServer(`${dir}/etcd`);
    await Deno.mkdir(etcd.dir);
    const url = `http://127.0.0.1:${freePort()}`;
    const master = spawnSpate(haMasterArgs({
      port: Number(new URL(url).port),
      etcd: etcd.clientUrl,
      clusterId: "late",
      ttlMs: 3000,
      storage: `${dir}/ha`,
    }));
    let failed = true;
    try {
      const retries = () =>
        master.stderr().split("\n").filter((l) =>
          /etcd .* failed: .*; retry \d+ in \d+ ms/.test(l)
        );
      await waitFor("3 retry lines", () => retries().length >= 3, 30_000);
      const delays = retries().slice(0, 3).map((l) => Number(/in (\d+) ms/.exec(l)![1]));
      assert.ok(delays[0] < delays[1] && delays[1] < delays[2], `growing pauses: ${delays}`);
      assert.ok(retries().every((l) => l.includes(etcd.clientUrl)), "each line names etcd");
      assert.doesNotMatch(master.stderr(), /^\s+at /m, "no stack traces");
      const res = await fetch(`${url}/api/v1/jobs`, { redirect: "manual" });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: "no leader elected yet" });

      await etcd.start();
      await when("the master leads", async () => (await haView(url)).isLeader, 30_000);
      failed = false;
    } finally {
      await stopAll([master], failed);
      await etcd.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "HA: masters of two cluster ids on one etcd each lead their own cluster, unseen by the other",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const etcd = await startEtcd();
    const dir = await Deno.makeTempDir({ prefix: "spate-ha-ids-" });
    const urls = [freePort(), freePort()].map((p) => `http://127.0.0.1:${p}`);
    const procs = urls.map((u, i) =>
      spawnSpate(haMasterArgs({
        port: Number(new URL(u).port),
        etcd: etcd.clientUrl,
        clusterId: ["blue", "green"][i],
        ttlMs: 3000,
        storage: `${dir}/ha-${i}`,
      }))
    );
    let failed = true;
    try {
      for (const u of urls) {
        await when(`${u} leads`, async () => (await haView(u)).isLeader, 30_000);
      }
      for (const [i, u] of urls.entries()) {
        const view = await getJson(`${u}/api/v1/overview`);
        assert.deepEqual(
          [view.ha.clusterId, view.ha.leader, view.ha.standbys],
          [["blue", "green"][i], u, []],
        );
      }
      failed = false;
    } finally {
      await stopAll(procs, failed);
      await etcd.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
