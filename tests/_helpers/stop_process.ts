/**
 * Stops a service a test started (etcd, mosquitto, PostgreSQL): a polite
 * signal, then SIGKILL if it has not exited within `graceMs`.
 *
 * @example
 * ```ts ignore
 * import { stopProcess } from "./stop_process.ts";
 * await stopProcess(child, 3_000); // SIGTERM, SIGKILL after 3 s
 * ```
 * @module
 */

/** Sends `first`, then SIGKILL past `graceMs`, through `send` (default: to `child`); waits for the exit. */
export async function stopProcess(
  child: Deno.ChildProcess,
  graceMs: number,
  first: Deno.Signal = "SIGTERM",
  send: (signal: Deno.Signal) => void = (signal) => child.kill(signal),
): Promise<void> {
  const signal = (s: Deno.Signal) => {
    try {
      send(s);
    } catch { /* already exited */ }
  };
  signal(first);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((r) => timer = setTimeout(() => r("late"), graceMs));
  if (await Promise.race([child.status, late]) === "late") {
    signal("SIGKILL");
    await child.status;
  }
  clearTimeout(timer);
}
