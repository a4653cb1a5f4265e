import assert from "node:assert/strict";
import { ActorSystem } from "../rpc/actor_system.ts";
import { askResourceManager } from "../protocol/resource_manager.ts";
import { askTaskExecutor } from "../protocol/task_executor.ts";
import { moduleCache } from "../worker/module_cache.ts";
import { NetworkEnvironment } from "../worker/network/network_environment.ts";
import { TaskExecutor } from "../worker/task_executor.ts";
import { tcpProbe } from "./data_address_probe.ts";
import { startMasterActors } from "./master_process.ts";

Deno.test("tcpProbe: a listening port answers, a closed one does not", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const accepted = listener.accept().then((c) => c.close());
  assert.equal(await tcpProbe(2_000)(`http://127.0.0.1:${port}`), true);
  await accepted;
  listener.close();
  assert.equal(await tcpProbe(2_000)(`http://127.0.0.1:${port}`), false);
});

Deno.test("resource manager: a worker's slots wait for the probe; a failed probe means no inbound", async () => {
  const system = new ActorSystem("probe-test", { verbose: false });
  const logged: string[] = [];
  system.log = (line) => logged.push(line);
  let answer!: (reachable: boolean) => void;
  const probed: string[] = [];
  const probe = (address: string) => {
    probed.push(address);
    return new Promise<boolean>((resolve) => answer = resolve);
  };
  const { resourceManager: rm } = startMasterActors(
    system,
    { heartbeatIntervalMs: 50, heartbeatTimeoutMs: 5_000 },
    undefined,
    undefined,
    undefined,
    undefined,
    probe,
  );
  const network = new NetworkEnvironment();
  network.dataAddress = "http://10.0.0.9:9091";
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
    await askTaskExecutor(te, { type: "connect", rm });
    assert.deepEqual(probed, ["http://10.0.0.9:9091"]);
    let granted = false;
    const grants = askResourceManager(rm, {
      type: "allocateSlots",
      jobId: "j",
      count: 1,
      timeoutMs: 10_000,
    }).then((g) => {
      granted = true;
      return g;
    });
    // The mailbox is ordered: once the overview answers, the request was handled and waits.
    const overview = await askResourceManager(rm, { type: "overview" });
    assert.equal(overview.slotsFree, 0, "no slot is offered while the probe runs");
    assert.equal(granted, false);
    answer(false);
    const [grant] = await grants;
    assert.equal(grant.inbound, false);
    assert.equal(grant.relayAddress, "", "the master relays: no --relay worker");
    assert.ok(
      logged.some((l) => /10\.0\.0\.9:9091 takes no connection .* treated as --no-inbound/.test(l)),
      logged.join("\n"),
    );
  } finally {
    await system.shutdown();
  }
});
