/** `spate worker`: runs a worker that joins a master, until stopped. @module */

import { OPTIONS } from "../core/config/options.ts";
import { startWorker } from "../nodes/worker/worker_process.ts";
import { masterFlag, parseFlags, untilSignal } from "./flags.ts";

const MIB = 1024 * 1024;

export async function workerCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("worker", args);
  const masterUrl = masterFlag(v.masterUrl);
  const worker = startWorker({
    masterUrl,
    slots: v.workerSlots ?? OPTIONS.workerSlots.default,
    managedMemoryBytes: (v.managedMemoryMb ?? OPTIONS.managedMemoryMb.default) * MIB,
    name: v.workerName,
    bindHost: v.bindHost,
    advertisedHost: v.advertisedHost,
    dataPort: v.dataPort,
    workDir: v.workDir,
  });
  console.error(
    `spate worker ${worker.workerId} serving data on ${worker.dataAddress}, master ${masterUrl}`,
  );
  console.error(`signal ${await untilSignal()}: stopping`);
  await worker.shutdown();
  return 0;
}
