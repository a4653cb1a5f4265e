/** `spate worker`: runs a worker that joins a master, until stopped. @module */

import { startWorker } from "../nodes/worker/worker_process.ts";
import { intFlag, masterFlag, parseFlags, untilSignal } from "./flags.ts";

export async function workerCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("worker", args, {
    master: { type: "string", short: "m" },
    slots: { type: "string" },
    "memory-mb": { type: "string" },
    name: { type: "string" },
    host: { type: "string" },
    advertise: { type: "string" },
    "data-port": { type: "string" },
    "work-dir": { type: "string" },
  });
  const masterUrl = masterFlag(v.master);
  const worker = startWorker({
    masterUrl,
    slots: intFlag("slots", v.slots, 1) ?? 1,
    managedMemoryBytes: (intFlag("memory-mb", v["memory-mb"], 1) ?? 512) * 1024 * 1024,
    name: v.name,
    bindHost: v.host,
    advertisedHost: v.advertise,
    dataPort: intFlag("data-port", v["data-port"]),
    workDir: v["work-dir"],
  });
  console.error(
    `spate worker ${worker.workerId} serving data on ${worker.dataAddress}, master ${masterUrl}`,
  );
  console.error(`signal ${await untilSignal()}: stopping`);
  await worker.shutdown();
  return 0;
}
