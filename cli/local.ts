/** `spate local`: a master and its workers in one process, until stopped. @module */

import { startMaster } from "../nodes/master/master_process.ts";
import { moduleCache } from "../nodes/worker/module_cache.ts";
import { NetworkEnvironment } from "../nodes/worker/network/network_environment.ts";
import { TaskExecutor } from "../nodes/worker/task_executor.ts";
import { intFlag, parseFlags, untilSignal } from "./flags.ts";

export async function localCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("local", args, {
    host: { type: "string" },
    port: { type: "string" },
    workers: { type: "string" },
    slots: { type: "string" },
    "memory-mb": { type: "string" },
  });
  const master = startMaster({
    hostname: v.host ?? "127.0.0.1",
    port: intFlag("port", v.port) ?? 8081,
  });
  const network = new NetworkEnvironment();
  const resolveModule = moduleCache(master.url, Deno.makeTempDirSync({ prefix: "spate-local-" }));
  const workers = intFlag("workers", v.workers, 1) ?? 1;
  for (let i = 0; i < workers; i++) {
    const te = master.system.spawn(`taskexecutor-${i}`, () =>
      new TaskExecutor({
        workerId: `local-${i}`,
        name: `local-worker-${i}`,
        slots: intFlag("slots", v.slots, 1) ?? 2,
        managedMemoryBytes: (intFlag("memory-mb", v["memory-mb"], 1) ?? 512) * 1024 * 1024,
        network,
        resolveModule,
      }));
    await te.ask({ type: "connect", rm: master.resourceManager });
  }
  console.error(`spate local cluster (${workers} worker(s)) listening on ${master.url}`);
  console.error(`signal ${await untilSignal()}: stopping`);
  network.close();
  await master.shutdown();
  return 0;
}
