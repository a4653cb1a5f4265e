/**
 * Workers that accept no connections (`--no-inbound`) on loopback, real
 * processes: the master routes each channel so that the reachable side dials,
 * and when neither side accepts connections the data goes through a relay
 * (the master, or a `--relay` worker). The keyed job's result is exact in
 * every topology. The firewalled version is `nat_topology_test.ts`.
 */

import assert from "node:assert/strict";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { assertWordCountAcross, slotListeners } from "../_helpers/wordcount_across.ts";

/** Resolves once `n` workers are registered. */
async function registered(cluster: TestCluster, n: number): Promise<void> {
  await waitFor(`${n} workers to register`, async () => (await cluster.taskManagers()) === n);
}

Deno.test("--no-inbound on one worker: the other's slots listen, the job is exact", async () => {
  const cluster = await startCluster(0, 2);
  try {
    cluster.addWorker(2, ["--no-inbound"]);
    cluster.addWorker(2);
    await registered(cluster, 2);
    await assertWordCountAcross(cluster, 4, 100_000);
    const [unreachable, reachable] = slotListeners(cluster);
    assert.deepEqual(unreachable, [], "the --no-inbound worker's slots never listen");
    assert.ok(reachable.length > 0, "the reachable worker's slots are dialed, both ways");
  } finally {
    await cluster.stop();
  }
});

Deno.test("--no-inbound on both workers, with a cluster secret: the master relays, exactly", async () => {
  const secret = await Deno.makeTempFile();
  await Deno.writeTextFile(secret, "relay-test-secret-0123456789abcdef");
  const cluster = await startCluster(2, 2, ["--cluster-secret-file", secret], undefined, {
    workerArgs: ["--no-inbound", "--cluster-secret-file", secret],
  });
  try {
    await assertWordCountAcross(cluster, 4, 100_000);
    assert.deepEqual(slotListeners(cluster), [[], []], "no slot listens: both ends dial");
    assert.match(cluster.master.stderr(), /relaying data between nodes that accept no connections/);
  } finally {
    await cluster.stop();
    await Deno.remove(secret);
  }
});

Deno.test("--no-inbound on both workers and a --relay worker: the relay worker carries the data", async () => {
  const cluster = await startCluster(0, 2);
  try {
    // The job's slots fill the workers in registration order: the relay registers last.
    cluster.addWorker(2, ["--no-inbound"]);
    cluster.addWorker(2, ["--no-inbound"]);
    await registered(cluster, 2);
    const relay = cluster.addWorker(1, ["--relay", "--name", "relay"]);
    await registered(cluster, 3);
    await assertWordCountAcross(cluster, 4, 100_000);
    assert.deepEqual(slotListeners(cluster), [[], [], []]);
    const relaying = /relaying data between nodes that accept no connections/;
    assert.match(relay.stderr(), relaying);
    assert.doesNotMatch(cluster.master.stderr(), relaying);
  } finally {
    await cluster.stop();
  }
});

Deno.test("--no-inbound refuses the relay data plane and --relay, naming the flags", async () => {
  for (
    const [args, message] of [
      [["--data-plane", "relay"], /--no-inbound needs --data-plane direct/],
      [["--relay"], /--relay needs a worker that accepts connections/],
    ] as const
  ) {
    const cluster = await startCluster(0, 1);
    try {
      const w = cluster.addWorker(1, ["--no-inbound", ...args]);
      await waitFor(`the worker to refuse ${args.join(" ")}`, () => message.test(w.stderr()));
    } finally {
      await cluster.stop();
    }
  }
});
