/**
 * What the long-running commands (master, worker, local) share: a pid file
 * for stopping them from scripts, and waiting until they are asked to stop.
 * @module
 */

import { launcherChain, type ProcessInfo, watchLauncher } from "./launcher.ts";
import { UsageError } from "./usage.ts";

/**
 * Writes this process's id to `path` (the real process, not a `deno task` or
 * `npx` wrapper): `kill $(cat path)` stops it.
 */
export function writePidFile(path: string): void {
  try {
    Deno.writeTextFileSync(path, `${Deno.pid}\n`);
  } catch (e) {
    throw new UsageError(`--pid-file ${path}: cannot write it: ${(e as Error).message}`);
  }
}

/** Removes the pid file at a clean exit, unless another process has written its own id there. */
export function removePidFile(path: string): void {
  try {
    if (Deno.readTextFileSync(path).trim() === String(Deno.pid)) Deno.removeSync(path);
  } catch { /* already gone */ }
}

/**
 * This process's launchers (see launcher.ts), read as a command starts: one
 * killed while the command starts up, before its pid file is written, is
 * still watched. (Read later, its child would already belong to init.)
 */
export function launchers(): readonly ProcessInfo[] {
  return launcherChain(Deno.ppid);
}

/**
 * Resolves with why the process should stop: SIGINT or SIGTERM, or one of
 * its `launchers` went away.
 */
export function untilStopped(started: readonly ProcessInfo[]): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(sig, () => resolve(`signal ${sig}`));
    }
    watchLauncher(resolve, started);
  });
}
