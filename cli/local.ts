/** `spate local`: a master and its workers in one process, until stopped. @module */

import { startLocalCluster } from "../nodes/minicluster/local_cluster.ts";
import { OPTIONS } from "../core/config/options.ts";
import { removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";

const MIB = 1024 * 1024;

export async function localCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("local", args);
  configureStorage("local", v);
  const workers = v.localWorkers ?? OPTIONS.localWorkers.default;
  const cluster = await startLocalCluster({
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    workers,
    slotsPerWorker: v.localSlotsPerWorker ?? OPTIONS.localSlotsPerWorker.default,
    managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
    jobPermissionsMax: jobPermissionsMax("local", v.jobPermissionsMax),
  });
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  console.error(`spate local cluster (${workers} worker(s)) listening on ${cluster.master.url}`);
  console.error(`${await untilStopped()}: stopping`);
  await cluster.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
