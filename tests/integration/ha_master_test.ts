/**
 * Masters with `--ha etcd` on a real etcd: one leads and serves, the other
 * stands by (RPC refused with the leader's URL, REST redirected to the
 * leader, the overview shows who leads); when the leader stops, the standby
 * takes over. Every wait is on a condition with a deadline.
 *
 * Without an etcd binary the tests report themselves skipped with the reason.
 */

import assert from "node:assert/strict";
import { waitFor } from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import { type HaMaster, startHaMaster } from "../../nodes/master/ha_master.ts";
import { RPC_CONNECT_PATH } from "../../nodes/rpc/transport_http2.ts";

const skipReason = etcdSkipReason();
if (skipReason) console.log(`HA master tests skipped: ${skipReason}`);
const ignore = skipReason !== undefined;

function haMaster(etcdUrl: string, logs: string[]): Promise<HaMaster> {
  return startHaMaster({
    hostname: "127.0.0.1",
    port: 0,
    ha: { endpoints: [etcdUrl], clusterId: "ha-test", sessionTtlMs: 2000 },
    log: (line) => logs.push(line),
  });
}

Deno.test({
  name: "HA masters: one leads and serves, the standby points at it, then takes over",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const etcd = await startEtcd();
    const logs: string[] = [];
    const masters = [await haMaster(etcd.clientUrl, logs), await haMaster(etcd.clientUrl, logs)];
    try {
      await waitFor(
        "one leader that both masters see",
        () =>
          masters.filter((m) => m.isLeader).length === 1 &&
          masters.every((m) => m.overview().leader !== null && m.overview().standbys.length === 1),
      );
      const leader = masters.find((m) => m.isLeader)!;
      const standby = masters.find((m) => !m.isLeader)!;

      const overview = await (await fetch(`${leader.url}/api/v1/overview`)).json();
      assert.equal(overview.taskmanagers, 0);
      assert.deepEqual(overview.ha, {
        mode: "etcd",
        clusterId: "ha-test",
        leader: leader.url,
        term: leader.election.leadership!.token,
        standbys: [standby.url],
        isLeader: true,
      });
      const standbyView = await (await fetch(`${standby.url}/api/v1/overview`)).json();
      assert.equal(standbyView.ha.isLeader, false);
      assert.equal(standbyView.ha.leader, leader.url);

      const jobs = await fetch(`${standby.url}/api/v1/jobs?x=1`, { redirect: "manual" });
      await jobs.body?.cancel();
      assert.equal(jobs.status, 307);
      assert.equal(jobs.headers.get("location"), `${leader.url}/api/v1/jobs?x=1`);
      const followed = await fetch(`${standby.url}/api/v1/jobs`);
      assert.equal(followed.status, 200);
      assert.deepEqual(await followed.json(), { jobs: [] });

      // Metrics are each master's own, not a redirect: a scrape of both stores no series twice.
      const leaderFlag = async (url: string) =>
        (await (await fetch(`${url}/metrics`, { redirect: "manual" })).text())
          .match(/^spate_master_leader (\d)$/m)?.[1];
      assert.equal(await leaderFlag(leader.url), "1");
      assert.equal(await leaderFlag(standby.url), "0");

      const rpc = await fetch(`${standby.url}${RPC_CONNECT_PATH}`, { method: "POST", body: "" });
      assert.equal(rpc.status, 503);
      assert.deepEqual(await rpc.json(), { error: "not leader", leader: leader.url });

      await leader.shutdown();
      masters.splice(masters.indexOf(leader), 1);
      await waitFor("the standby leads", () => standby.isLeader, 10_000);
      const after = await (await fetch(`${standby.url}/api/v1/overview`)).json();
      assert.equal(await leaderFlag(standby.url), "1");
      assert.equal(after.ha.leader, standby.url);
      assert.deepEqual(after.ha.standbys, []);
      const jobsAfter = await fetch(`${standby.url}/api/v1/jobs`);
      assert.equal(jobsAfter.status, 200);
      await jobsAfter.body?.cancel();
      assert.ok(logs.some((l) => l.includes(`${standby.url} elected leader of cluster 'ha-test'`)));
    } finally {
      for (const m of masters) await m.shutdown();
      await etcd.close();
    }
  },
});

Deno.test({
  name: "HA master: a standby answers 503 while no leader is known",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const etcd = await startEtcd();
    await etcd.stop();
    const logs: string[] = [];
    const master = await haMaster(etcd.clientUrl, logs);
    try {
      const res = await fetch(`${master.url}/api/v1/jobs`, { redirect: "manual" });
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { error: "no leader elected yet" });
      const view = await (await fetch(`${master.url}/api/v1/overview`)).json();
      assert.equal(view.ha.leader, null);
      assert.equal(view.ha.isLeader, false);
    } finally {
      await master.shutdown();
      await etcd.close();
    }
  },
});
