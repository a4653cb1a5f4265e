/**
 * The etcd adapter of the HA services against a real etcd (Debian's
 * etcd-server, started on free ports by the test): leases, create-if-absent,
 * and the guarded transaction fenced writes rely on.
 *
 * Without an etcd binary the tests report themselves skipped with the reason.
 */

import assert from "node:assert/strict";
import { waitFor } from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import { EtcdClient } from "../../nodes/master/ha/etcd_client.ts";

const skipReason = etcdSkipReason();
if (skipReason) console.log(`etcd client tests skipped: ${skipReason}`);
const ignore = skipReason !== undefined;

Deno.test({
  name: "etcd client: a fenced write checks the guard key's create revision in one transaction",
  ignore,
  async fn() {
    await using etcd = await startEtcd();
    const client = new EtcdClient({ endpoints: [etcd.clientUrl], requestTimeoutMs: 1000 });
    try {
      const { leaseId } = await client.grantLease(2000);
      const kv = await client.putIfAbsent("/t/leader/1", "me", leaseId);
      assert.equal(
        (await client.putIfAbsent("/t/leader/1", "other", leaseId)).createRevision,
        kv.createRevision,
      );
      assert.equal(await client.writeIf(kv, [{ type: "put", key: "/t/a", value: "1" }]), true);
      assert.equal(
        await client.writeIf({ ...kv, createRevision: kv.createRevision + 1 }, [{
          type: "delete",
          key: "/t/a",
        }]),
        false,
      );
      await client.revokeLease(leaseId);
      assert.equal(await client.keepAlive(leaseId), 0);
      assert.equal(await client.writeIf(kv, [{ type: "delete", key: "/t/a" }]), false);
      assert.equal(await client.get("/t/a"), "1");
    } finally {
      client.close();
    }
  },
});

Deno.test({
  name: "etcd client: a prefix watch reports puts and deletes, and resumes after etcd restarts",
  ignore,
  async fn() {
    await using etcd = await startEtcd();
    const client = new EtcdClient({ endpoints: [etcd.clientUrl], requestTimeoutMs: 1000 });
    const errors: string[] = [];
    let changes = 0;
    const { revision } = await client.range("/w/");
    const watch = client.watchPrefix("/w/", revision + 1, () => changes++, (e) => {
      errors.push(e.message);
    });
    try {
      const put = (key: string) =>
        client.writeIf({ key: "/w/", createRevision: 0 }, [
          { type: "put", key, value: "v" },
        ]);
      assert.equal(await put("/w/a"), true, "the guard holds for a key that does not exist");
      await waitFor("the put", () => changes === 1);
      await put("/other");
      await put("/w/b");
      await waitFor("the second put under /w/", () => changes === 2);
      await client.writeIf({ key: "/w/", createRevision: 0 }, [{ type: "delete", key: "/w/a" }]);
      await waitFor("the delete", () => changes === 3);
      await etcd.stop();
      await etcd.start();
      await waitFor("a change after the watch reconnected", () => changes === 4, 10_000);
      await put("/w/c");
      await waitFor("a put after the restart", () => changes === 5);
      assert.deepEqual(errors, []);
    } finally {
      await watch.cancel();
      client.close();
    }
  },
});
