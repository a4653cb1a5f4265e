/**
 * CPU and allocation profiles of a slot's thread, for finding what a task's
 * per-record path spends its time and memory on: `deno run --cpu-prof`
 * profiles only the main thread, and slots are Web Workers. With
 * `SPATE_SLOT_CPU_PROFILE=DIR` set, each slot profiles itself (through
 * `node:inspector`) from its first task's deployment until its last task
 * ends, and writes `DIR/slot-<time>-<n>.cpuprofile` (open it in Chrome
 * DevTools or any `.cpuprofile` viewer). With `SPATE_SLOT_ALLOC_PROFILE=1`
 * as well, it also samples allocations (every 16 KiB allocated, objects
 * collected since included) and writes `DIR/slot-<time>-<n>.heapprofile`:
 * what the garbage collector had to deal with, by allocating function.
 * @module
 */

import { Session } from "node:inspector";

/** The variable's value, or undefined when unset or unreadable (no env permission: never profile). */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

export interface SlotProfiler {
  /** A task was deployed: starts profiling unless already on. */
  started(): Promise<void>;
  /** The slot's last running task ended: writes the profile (before the end is reported). */
  idle(): Promise<void>;
}

const off: SlotProfiler = { started: async () => {}, idle: async () => {} };
let written = 0;

/** Bytes allocated between two samples of the allocation profile. */
const ALLOCATION_SAMPLING_BYTES = 16 * 1024;

/** The slot's profiler: does nothing unless `SPATE_SLOT_CPU_PROFILE` is set. */
export function slotProfiler(): SlotProfiler {
  const dir = env("SPATE_SLOT_CPU_PROFILE");
  if (dir === undefined) return off;
  const allocations = env("SPATE_SLOT_ALLOC_PROFILE") !== undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params: object = {}) =>
    new Promise<object | undefined>((resolve, reject) =>
      session.post(method, params, (e, r) => e ? reject(e) : resolve(r))
    );
  let running = false;
  return {
    async started() {
      if (running) return;
      running = true;
      await post("Profiler.enable");
      await post("Profiler.start");
      if (!allocations) return;
      await post("HeapProfiler.enable");
      await post("HeapProfiler.startSampling", {
        samplingInterval: ALLOCATION_SAMPLING_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    async idle() {
      if (!running) return;
      running = false;
      const { profile } = await post("Profiler.stop") as { profile: unknown };
      Deno.mkdirSync(dir, { recursive: true });
      const path = `${dir}/slot-${Date.now()}-${written++}`;
      Deno.writeTextFileSync(`${path}.cpuprofile`, JSON.stringify(profile));
      console.error(`slot CPU profile: ${path}.cpuprofile`);
      if (!allocations) return;
      const heap = await post("HeapProfiler.stopSampling") as { profile: unknown };
      Deno.writeTextFileSync(`${path}.heapprofile`, JSON.stringify(heap.profile));
      console.error(`slot allocation profile: ${path}.heapprofile`);
    },
  };
}
