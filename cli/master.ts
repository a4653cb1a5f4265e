/** `spate master`: runs a master until stopped. @module */

import { OPTIONS } from "../core/config/options.ts";
import { startMaster } from "../nodes/master/master_process.ts";
import { parseFlags, untilSignal } from "./flags.ts";

export async function masterCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("master", args);
  const master = startMaster({
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    blobDir: v.blobDir,
    heartbeat: {
      heartbeatIntervalMs: v.heartbeatIntervalMs,
      heartbeatTimeoutMs: v.heartbeatTimeoutMs,
    },
  });
  console.error(`spate master listening on ${master.url}`);
  console.error(`signal ${await untilSignal()}: stopping`);
  await master.shutdown();
  return 0;
}
