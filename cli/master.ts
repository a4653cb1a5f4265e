/** `spate master`: runs a master until stopped. @module */

import { OPTIONS } from "../core/config/options.ts";
import { startMaster } from "../nodes/master/master_process.ts";
import { removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";
import { configureStorage } from "./storage_flags.ts";

export async function masterCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("master", args);
  configureStorage("master", v);
  const master = startMaster({
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    blobDir: v.blobDir,
    heartbeat: {
      heartbeatIntervalMs: v.heartbeatIntervalMs,
      heartbeatTimeoutMs: v.heartbeatTimeoutMs,
    },
  });
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  console.error(`spate master listening on ${master.url}`);
  console.error(`${await untilStopped()}: stopping`);
  await master.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
