/** `spate local`: a master and its workers in one process, until stopped. @module */

import { startMaster } from "../nodes/master/master_process.ts";
import { moduleCache } from "../nodes/worker/module_cache.ts";
import { NetworkEnvironment } from "../nodes/worker/network/network_environment.ts";
import { TaskExecutor } from "../nodes/worker/task_executor.ts";
import { OPTIONS } from "../core/config/options.ts";
import { removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";

const MIB = 1024 * 1024;

export async function localCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("local", args);
  const master = startMaster({
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
  });
  const network = new NetworkEnvironment();
  const resolveModule = moduleCache(master.url, Deno.makeTempDirSync({ prefix: "spate-local-" }));
  const workers = v.localWorkers ?? OPTIONS.localWorkers.default;
  for (let i = 0; i < workers; i++) {
    const te = master.system.spawn(`taskexecutor-${i}`, () =>
      new TaskExecutor({
        workerId: `local-${i}`,
        name: `local-worker-${i}`,
        slots: v.localSlotsPerWorker ?? OPTIONS.localSlotsPerWorker.default,
        managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
        network,
        resolveModule,
      }));
    await te.ask({ type: "connect", rm: master.resourceManager });
  }
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  console.error(`spate local cluster (${workers} worker(s)) listening on ${master.url}`);
  console.error(`${await untilStopped()}: stopping`);
  network.close();
  await master.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
