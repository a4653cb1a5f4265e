/**
 * Workers and clients that find the masters in etcd (`--etcd URLS
 * --cluster-id ID`) instead of a list: a worker registers with the leader,
 * follows it when it dies, and `spate list` and `spate run` reach it; a cluster id nobody
 * campaigns in is an error that names it. Real processes and a real etcd.
 *
 * Without an etcd binary the tests report themselves skipped with the reason.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { freePort, type SpateProcess, spawnSpate } from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import { getJson, haMasterArgs, haView, when } from "../_helpers/ha_cluster.ts";
import { keyedCountRun } from "../_helpers/keyed_count.ts";

const skipReason = etcdSkipReason();
if (skipReason) console.log(`HA discovery test skipped: ${skipReason}`);

Deno.test({
  name: "HA discovery: a worker given only etcd registers with the leader and follows a new one; " +
    "spate list finds it; an unknown cluster id is named",
  ignore: skipReason !== undefined,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const etcd = await startEtcd();
    const dir = await Deno.makeTempDir({ prefix: "spate-ha-discovery-" });
    const urls = [freePort(), freePort()].map((p) => `http://127.0.0.1:${p}`);
    const master = (u: string) =>
      spawnSpate(haMasterArgs({
        port: Number(new URL(u).port),
        etcd: etcd.clientUrl,
        clusterId: "found",
        ttlMs: 2000,
        storage: `${dir}/ha`,
      }));
    const masters = [master(urls[0])];
    const procs: SpateProcess[] = [...masters];
    let failed = true;
    try {
      await when("the first master leads", async () => (await haView(urls[0])).isLeader, 30_000);
      masters.push(master(urls[1]));
      procs.push(masters[1]);
      await when(
        "the second stands by",
        async () => (await haView(urls[1])).leader === urls[0],
        30_000,
      );
      const discovery = ["--etcd", etcd.clientUrl, "--cluster-id", "found"];
      const worker = spawnSpate(["worker", ...discovery, "--slots", "1", "--work-dir", `${dir}/w`]);
      procs.push(worker);
      await when(
        "the worker registered with the leader",
        async () => (await getJson(`${urls[0]}/api/v1/overview`)).taskmanagers === 1,
        30_000,
      );
      assert.match(worker.stderr(), /master the masters of cluster 'found' in etcd/);

      const list = await runCli(["list", ...discovery, "--json"]);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout), []);

      masters[0].kill("SIGKILL");
      await when("the second leads", async () => (await haView(urls[1])).isLeader, 30_000);
      // The master counts the worker before the worker hears back and logs it: wait for both.
      const registeredWithNew = new RegExp(`registered with the master at ${urls[1]}`);
      await when(
        "the worker registered with the new leader",
        async () =>
          (await getJson(`${urls[1]}/api/v1/overview`)).taskmanagers === 1 &&
          registeredWithNew.test(worker.stderr()),
        30_000,
      );

      // A job run through etcd reaches the new leader and finishes there.
      const run = await runCli(
        keyedCountRun(undefined, [...discovery, "-p", "1"], { events: 2000, out: `${dir}/out` }),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal((await getJson(`${urls[1]}/api/v1/jobs`)).jobs[0]?.state, "FINISHED");

      const unknown = await runCli(["list", "--etcd", etcd.clientUrl, "--cluster-id", "nobody"]);
      assert.equal(unknown.code, 3, unknown.stderr);
      assert.match(unknown.stderr, /no master campaigns in cluster 'nobody'/);
      const both = await runCli(["list", "--master", urls[1], ...discovery]);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--master and --etcd exclude each other/);
      failed = false;
    } finally {
      if (failed) {
        for (const [i, p] of procs.entries()) console.error(`--- ${i}:\n${p.stderr()}`);
      }
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      await etcd.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
