/** `spate local`: a master and its workers in one process, until stopped. @module */

import { configureLogs } from "./log_flags.ts";
import { Logger } from "../core/log/logger.ts";
import { startLocalCluster } from "../nodes/minicluster/local_cluster.ts";
import { OPTIONS } from "../core/config/options.ts";
import { launchers, removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { configureNodeTls } from "./tls_flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";

const MIB = 1024 * 1024;

/** The command's own lines: text without a prefix, as always. */
const COMMAND_LOG = new Logger("local", "");

export async function localCommand(args: string[]): Promise<number> {
  const started = launchers();
  const { values: v } = parseFlags("local", args);
  configureLogs(v);
  configureStorage("local", v);
  const tls = configureNodeTls("local", v);
  const workers = v.localWorkers ?? OPTIONS.localWorkers.default;
  const cluster = await startLocalCluster({
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    workers,
    slotsPerWorker: v.localSlotsPerWorker ?? OPTIONS.localSlotsPerWorker.default,
    slotThreads: v.slotThreads,
    managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
    tls,
    jobPermissionsMax: jobPermissionsMax("local", v.jobPermissionsMax),
  });
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  COMMAND_LOG.info(
    `spate local cluster (${workers} worker(s)) listening on ${cluster.master.url}`,
    { url: cluster.master.url },
  );
  COMMAND_LOG.info(`${await untilStopped(started)}: stopping`);
  await cluster.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
