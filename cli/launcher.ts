/**
 * The launcher of a long-running command (master, worker, local): the
 * wrapper processes that started it (`deno task`, and under `npx` the npm
 * process and the shell it runs the task in). `kill $!` after `npx ... &`
 * stops npm only, and `deno task` does not notice; so the command watches
 * its launcher and stops when a wrapper is gone. Deno has no prctl
 * (PR_SET_PDEATHSIG), so this polls /proc: Linux only; elsewhere nothing is
 * watched and `--pid-file` is the way to stop the real process.
 * @module
 */

/** What /proc tells about a process. */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Start time in clock ticks since boot: tells a process from a later one with its pid. */
  readonly startTime: number;
  readonly argv: readonly string[];
}

/** Reads a process from /proc; undefined when it is gone (or there is no /proc). */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cmdline = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    const argv = cmdline.split("\0").filter((a) => a !== "");
    return { pid, ppid: Number(fields[1]), startTime: Number(fields[19]), argv };
  } catch {
    return undefined;
  }
}

function program(p: ProcessInfo): string {
  const first = (p.argv[0] ?? "").split(" ")[0];
  return first.slice(first.lastIndexOf("/") + 1);
}

function isNpm(p: ProcessInfo): boolean {
  const name = program(p);
  return name === "npm" || name === "npx" ||
    (/^node(js)?$/.test(name) && /np[mx](-cli)?(\.js)?$/.test(p.argv[1] ?? ""));
}

function isDenoTask(p: ProcessInfo): boolean {
  return program(p) === "deno" && p.argv[1] === "task";
}

function isShellCommand(p: ProcessInfo): boolean {
  return /^(sh|bash|dash|zsh)$/.test(program(p)) && p.argv[1] === "-c";
}

/**
 * The launch wrappers from process `pid` up, nearest first: it and its
 * ancestors as long as each is `deno task`, npm/npx, or the `sh -c` npm runs
 * a bin in.
 * A shell of the user (not started by npm) ends the chain: the command
 * outlives it, as a daemon should.
 *
 * @example
 * ```ts
 * import { launcherChain, type ProcessInfo } from "./launcher.ts";
 * const table = new Map<number, ProcessInfo>([
 *   [10, { pid: 10, ppid: 9, startTime: 1, argv: ["deno", "task", "spate", "master"] }],
 *   [9, { pid: 9, ppid: 8, startTime: 1, argv: ["sh", "-c", "deno task spate master"] }],
 *   [8, { pid: 8, ppid: 7, startTime: 1, argv: ["npm exec deno@2.9.6 task spate master"] }],
 *   [7, { pid: 7, ppid: 1, startTime: 1, argv: ["-bash"] }],
 * ]);
 * launcherChain(10, (pid) => table.get(pid)).map((p) => p.pid); // [10, 9, 8]
 * ```
 */
export function launcherChain(
  pid: number,
  read: (pid: number) => ProcessInfo | undefined = readProcess,
): ProcessInfo[] {
  const ancestors: ProcessInfo[] = [];
  for (let p = read(pid); p !== undefined && p.pid > 1 && ancestors.length < 16;) {
    ancestors.push(p);
    p = p.ppid > 1 ? read(p.ppid) : undefined;
  }
  const chain: ProcessInfo[] = [];
  for (const [i, p] of ancestors.entries()) {
    const parent = ancestors[i + 1];
    const wrapper = isDenoTask(p) || isNpm(p) ||
      (isShellCommand(p) && parent !== undefined && isNpm(parent));
    if (!wrapper) break;
    chain.push(p);
  }
  return chain;
}

/** How often the launcher is checked. */
export const LAUNCHER_POLL_MS = 1000;

/**
 * Calls `onGone` once when a process of `chain` (this process's launcher
 * chain, read as the command started) is gone; returns a function that stops
 * watching. Nothing is watched without a launcher (started by a shell or a
 * service manager) or without /proc.
 */
export function watchLauncher(
  onGone: (why: string) => void,
  chain: readonly ProcessInfo[] = launcherChain(Deno.ppid),
  read: (pid: number) => ProcessInfo | undefined = readProcess,
  pollMs = LAUNCHER_POLL_MS,
): () => void {
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    const gone = chain.find((p) => read(p.pid)?.startTime !== p.startTime);
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(`launcher ${gone.pid} (${gone.argv.join(" ").slice(0, 60)}) is gone`);
  }, pollMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
