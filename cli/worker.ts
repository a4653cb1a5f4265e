/** `spate worker`: runs a worker that joins a master, until stopped. @module */

import { configureLogs } from "./log_flags.ts";
import { Logger } from "../core/log/logger.ts";
import { OPTIONS } from "../core/config/options.ts";
import { startWorker } from "../nodes/worker/worker_process.ts";
import { launchers, removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { masterSourceFlags, parseFlags } from "./flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { configureNodeTls } from "./tls_flags.ts";
import { authLimitFlags, secretFlag } from "./auth_flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";
import { UsageError } from "./usage.ts";
import { DATA_PLANES, type DataPlane } from "../core/config/option_spec.ts";

const MIB = 1024 * 1024;

/** The command's own lines: text without a prefix, as always. */
const COMMAND_LOG = new Logger("worker", "");

export async function workerCommand(args: string[]): Promise<number> {
  const started = launchers();
  const { values: v } = parseFlags("worker", args);
  configureLogs(v);
  configureStorage("worker", v);
  const tls = configureNodeTls("worker", v);
  const masters = masterSourceFlags(v.masterUrl, v.etcdEndpoints, v.clusterId);
  const worker = await startWorker({
    masterUrl: masters,
    slots: v.workerSlots ?? OPTIONS.workerSlots.default,
    slotThreads: v.slotThreads,
    managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
    name: v.workerName,
    jobPermissionsMax: jobPermissionsMax("worker", v.jobPermissionsMax),
    bindHost: v.bindHost,
    advertisedHost: v.advertisedHost,
    dataPort: v.dataPort,
    dataPlane: dataPlaneFlag(v.dataPlane),
    noInbound: v.noInbound,
    relay: v.relay,
    workDir: v.workDir,
    connectTimeoutMs: v.connectTimeoutMs,
    tls,
    secret: await secretFlag("worker", v),
    authLimits: authLimitFlags(v),
    streamLimits: {
      firstFrameTimeoutMs: v.firstFrameTimeoutMs,
      maxStreamsPerPeer: v.maxStreamsPerPeer,
    },
  });
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  COMMAND_LOG.info(
    `spate worker ${worker.workerId} serving data on ${worker.dataAddress}, master ${masters.description}`,
    { workerId: worker.workerId, dataAddress: worker.dataAddress },
  );
  COMMAND_LOG.info(`${await untilStopped(started)}: stopping`);
  await worker.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}

/** `--data-plane`, else `$SPATE_DATA_PLANE`, else the default. */
function dataPlaneFlag(flag: DataPlane | undefined): DataPlane {
  const o = OPTIONS.dataPlane;
  const env = Deno.env.get(o.env) || undefined;
  if (flag !== undefined || env === undefined) return flag ?? o.default;
  const plane = DATA_PLANES.find((p) => p === env);
  if (plane === undefined) {
    throw new UsageError(`$${o.env} '${env}' is not a data plane: relay or direct`);
  }
  return plane;
}
