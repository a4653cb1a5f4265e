/** `spate worker`: runs a worker that joins a master, until stopped. @module */

import { OPTIONS } from "../core/config/options.ts";
import { startWorker } from "../nodes/worker/worker_process.ts";
import { removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { masterSourceFlags, parseFlags } from "./flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { authLimitFlags, secretFlag } from "./auth_flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";

const MIB = 1024 * 1024;

export async function workerCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("worker", args);
  configureStorage("worker", v);
  const masters = masterSourceFlags(v.masterUrl, v.etcdEndpoints, v.clusterId);
  const worker = startWorker({
    masterUrl: masters,
    slots: v.workerSlots ?? OPTIONS.workerSlots.default,
    managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
    name: v.workerName,
    jobPermissionsMax: jobPermissionsMax("worker", v.jobPermissionsMax),
    bindHost: v.bindHost,
    advertisedHost: v.advertisedHost,
    dataPort: v.dataPort,
    workDir: v.workDir,
    connectTimeoutMs: v.connectTimeoutMs,
    secret: await secretFlag("worker", v),
    authLimits: authLimitFlags(v),
  });
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  console.error(
    `spate worker ${worker.workerId} serving data on ${worker.dataAddress}, master ${masters.description}`,
  );
  console.error(`${await untilStopped()}: stopping`);
  await worker.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
