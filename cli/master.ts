/** `spate master`: runs a master until stopped. @module */

import { startMaster } from "../nodes/master/master_process.ts";
import { intFlag, parseFlags, untilSignal } from "./flags.ts";

export async function masterCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("master", args, {
    host: { type: "string" },
    port: { type: "string" },
    "blob-dir": { type: "string" },
    "heartbeat-interval": { type: "string" },
    "heartbeat-timeout": { type: "string" },
  });
  const master = startMaster({
    hostname: v.host ?? "127.0.0.1",
    port: intFlag("port", v.port) ?? 8081,
    blobDir: v["blob-dir"],
    heartbeat: {
      heartbeatIntervalMs: intFlag("heartbeat-interval", v["heartbeat-interval"], 1),
      heartbeatTimeoutMs: intFlag("heartbeat-timeout", v["heartbeat-timeout"], 1),
    },
  });
  console.error(`spate master listening on ${master.url}`);
  console.error(`signal ${await untilSignal()}: stopping`);
  await master.shutdown();
  return 0;
}
