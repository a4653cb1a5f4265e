/**
 * The ResourceManager with real TaskExecutors in one in-memory ActorSystem (no
 * process, no slot worker: these tests deploy no task).
 */

import assert from "node:assert/strict";
import { waitFor } from "../../tests/_helpers/cluster.ts";
import { FencingTokenError } from "../rpc/actor.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { askResourceManager } from "../protocol/resource_manager.ts";
import { askTaskExecutor } from "../protocol/task_executor.ts";
import { moduleCache } from "../worker/module_cache.ts";
import { NetworkEnvironment } from "../worker/network/network_environment.ts";
import { TaskExecutor } from "../worker/task_executor.ts";
import { startMasterActors } from "./master_process.ts";

Deno.test("resource manager: registration, grants, waiting, refusal, release, lost workers", async (t) => {
  const system = new ActorSystem("rm-test", { verbose: false });
  const logged: string[] = [];
  system.log = (line) => logged.push(line);
  const network = new NetworkEnvironment();
  const { resourceManager: rm } = startMasterActors(system, {
    heartbeatIntervalMs: 20,
    heartbeatTimeoutMs: 300,
  });
  const taskExecutor = (i: number, slots: number) =>
    system.spawn(`taskexecutor-${i}`, () =>
      new TaskExecutor({
        workerId: `w${i}`,
        name: `worker-${i}`,
        slots,
        managedMemoryBytes: 2 * 1024 * 1024,
        network,
        resolveModule: moduleCache(undefined, ""),
      }));
  const overview = () => askResourceManager(rm, { type: "overview" });
  const allocate = (jobId: string, count: number, timeoutMs = 10_000) =>
    askResourceManager(rm, { type: "allocateSlots", jobId, count, timeoutMs });
  try {
    const te0 = taskExecutor(0, 2);
    const te1 = taskExecutor(1, 2);

    await t.step("a TaskExecutor registers its slots and learns the heartbeat", async () => {
      const reply = await askTaskExecutor(te0, { type: "connect", rm });
      assert.equal(reply.heartbeatIntervalMs, 20);
      assert.equal(reply.heartbeatTimeoutMs, 300);
      const o = await overview();
      assert.deepEqual(
        o.workers.map((w) => [w.id, w.slotsTotal, w.slotsFree, w.managedMemoryBytes]),
        [["w0", 2, 2, 2 * 1024 * 1024]],
      );
    });

    await t.step("slots are granted in registration order; a larger request waits", async () => {
      const grants = await allocate("a", 2);
      assert.deepEqual(grants.map((g) => `${g.workerId}/${g.slotIndex}`), ["w0/0", "w0/1"]);
      assert.equal(grants[0].managedMemoryBytes, 1024 * 1024, "memory is split between slots");
      assert.equal(grants[0].taskExecutor.path, te0.path);
      const waiting = allocate("b", 2);
      await askTaskExecutor(te1, { type: "connect", rm });
      assert.deepEqual((await waiting).map((g) => `${g.workerId}/${g.slotIndex}`), [
        "w1/0",
        "w1/1",
      ]);
      assert.equal((await overview()).slotsFree, 0);
    });

    await t.step("a request that cannot be served in time is refused, saying why", async () => {
      await assert.rejects(
        allocate("c", 1, 100),
        /job c needs 1 slots, cluster has 0 free after waiting 100 ms/,
      );
    });

    await t.step("released slots are free again", async () => {
      rm.tell({ type: "releaseSlots", jobId: "a" });
      const o = await overview();
      assert.equal(o.slotsFree, 2);
      assert.deepEqual(o.workers.map((w) => w.slotsFree), [2, 0]);
    });

    await t.step("a heartbeat reply with another master's fencing token is refused", async () => {
      await assert.rejects(
        rm.ask({ type: "heartbeatReply", workerId: "w0", fence: "an old master" }),
        FencingTokenError,
      );
    });

    await t.step("a worker gone silent is dropped, and its slots with it", async () => {
      await system.stop(te1);
      await waitFor("w1 to be dropped", async () => (await overview()).workers.length === 1, 5000);
      assert.equal((await overview()).slotsTotal, 2);
      assert.ok(logged.some((l) => /worker worker-1 \(w1\) lost: no heartbeat for \d+ ms/.test(l)));
    });

    await t.step("a worker whose connection dropped is dropped at once", async () => {
      rm.tell({ type: "workerDisconnected", workerId: "w0", reason: "connection reset" });
      assert.deepEqual((await overview()).workers, []);
    });
  } finally {
    network.close();
    await system.shutdown();
  }
});

Deno.test("leader terms: a worker registers with a newer leader and then refuses an older one", async () => {
  const system = new ActorSystem("term-test", { verbose: false });
  system.log = () => {};
  const network = new NetworkEnvironment();
  const heartbeat = { heartbeatIntervalMs: 20, heartbeatTimeoutMs: 300 };
  // Two masters' actors in one system: the deposed leader's term 5, the new leader's term 9.
  const old = new ActorSystem("old-leader", { verbose: false });
  old.log = () => {};
  const { resourceManager: oldRm } = startMasterActors(old, heartbeat, 5);
  const { resourceManager: newRm } = startMasterActors(system, heartbeat, 9);
  const te = system.spawn("taskexecutor", () =>
    new TaskExecutor({
      workerId: "w0",
      name: "worker-0",
      slots: 1,
      managedMemoryBytes: 1024 * 1024,
      network,
      resolveModule: moduleCache(undefined, ""),
    }));
  try {
    const reply = await askTaskExecutor(te, { type: "connect", rm: newRm });
    assert.equal(reply.term, 9);
    await assert.rejects(
      askTaskExecutor(te, { type: "connect", rm: oldRm }),
      (e: Error) =>
        e instanceof FencingTokenError && /refuses the master of leader term 5/.test(e.message),
    );
    // The old leader's heartbeat goes unanswered; the new leader's is answered.
    const registered = await askResourceManager(oldRm, {
      type: "registerWorker",
      worker: {
        workerId: "w0",
        name: "worker-0",
        slots: 1,
        managedMemoryBytes: 1024 * 1024,
        processId: "p",
        dataAddress: "127.0.0.1:1",
        taskExecutor: te,
      },
    });
    assert.equal(registered.term, 5);
    // The old leader's commands reach the worker stamped with term 5 and are refused.
    const [grant] = await askResourceManager(oldRm, {
      type: "allocateSlots",
      jobId: "j-old",
      count: 1,
      timeoutMs: 1000,
    });
    for (
      const command of [
        { type: "cancelJob", jobId: "j-old" },
        {
          type: "triggerCheckpoint",
          taskId: "t1",
          barrier: { id: 1, timestampMs: 0, savepoint: false },
        },
        { type: "notifyCheckpointComplete", jobId: "j-old", attempt: 0, checkpointId: 1 },
      ] as const
    ) {
      await assert.rejects(
        grant.taskExecutor.ask(command),
        (e: Error) =>
          e instanceof FencingTokenError &&
          e.message.includes(`refuses ${command.type} from the master of leader term 5`) &&
          e.message.includes("registered with term 9"),
      );
    }
    // The new leader's grant carries term 9: its cancel is taken (an unknown job: nothing to do).
    const [current] = await askResourceManager(newRm, {
      type: "allocateSlots",
      jobId: "j-new",
      count: 1,
      timeoutMs: 1000,
    });
    assert.equal(await current.taskExecutor.ask({ type: "cancelJob", jobId: "j-new" }), undefined);
    await waitFor(
      "the old leader drops the silent w0",
      async () => (await askResourceManager(oldRm, { type: "overview" })).workers.length === 0,
      5000,
    );
    // Longer than the heartbeat timeout has passed: the new leader's heartbeats were answered.
    assert.equal((await askResourceManager(newRm, { type: "overview" })).workers.length, 1);
  } finally {
    network.close();
    await old.shutdown();
    await system.shutdown();
  }
});
