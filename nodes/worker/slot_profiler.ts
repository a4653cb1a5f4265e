/**
 * CPU profiles of a slot's thread, for finding what a task's per-record path
 * spends its time on: `deno run --cpu-prof` profiles only the main thread,
 * and slots are Web Workers. With `SPATE_SLOT_CPU_PROFILE=DIR` set, each slot
 * profiles itself (through `node:inspector`) from its first task's deployment
 * until its last task ends, and writes `DIR/slot-<time>-<n>.cpuprofile`
 * (open it in Chrome DevTools or any `.cpuprofile` viewer).
 * @module
 */

import { Session } from "node:inspector";

/** The directory profiles go to, or undefined when profiling is off. */
function profileDir(): string | undefined {
  try {
    return Deno.env.get("SPATE_SLOT_CPU_PROFILE") || undefined;
  } catch {
    return undefined; // no env permission: never profile
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

/** The slot's profiler: does nothing unless `SPATE_SLOT_CPU_PROFILE` is set. */
export function slotProfiler(): SlotProfiler {
  const dir = profileDir();
  if (dir === undefined) return off;
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<object | undefined>((resolve, reject) =>
      session.post(method, {}, (e, r) => e ? reject(e) : resolve(r))
    );
  let running = false;
  return {
    async started() {
      if (running) return;
      running = true;
      await post("Profiler.enable");
      await post("Profiler.start");
    },
    async idle() {
      if (!running) return;
      running = false;
      const { profile } = await post("Profiler.stop") as { profile: unknown };
      Deno.mkdirSync(dir, { recursive: true });
      const path = `${dir}/slot-${Date.now()}-${written++}.cpuprofile`;
      Deno.writeTextFileSync(path, JSON.stringify(profile));
      console.error(`slot CPU profile: ${path}`);
    },
  };
}
