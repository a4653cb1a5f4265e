/** Runs the spate CLI as a real subprocess. @module */

import { SPATE_V8_FLAGS } from "../../cli/v8_flags.ts";

const ROOT = new URL("../../", import.meta.url);

/** The project root as a path. */
export const PROJECT_ROOT = ROOT.pathname;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Where every `spate` process a test starts is logged, one line each (its
 * command and flags), when SPATE_TEST_SPAWN_LOG names a file: how many
 * processes of each kind the suite starts, to weigh their start-up CPU.
 */
const SPAWN_LOG = Deno.env.get("SPATE_TEST_SPAWN_LOG");

/** The `deno` arguments that run `spate <args>` from source with the project's config. */
export function spateArgs(args: string[]): string[] {
  if (SPAWN_LOG) Deno.writeTextFileSync(SPAWN_LOG, `${args.join(" ")}\n`, { append: true });
  return [
    "run",
    SPATE_V8_FLAGS,
    // node_modules is in place (deno test installed it, in the config's auto mode): a process
    // that does not check it again starts with ~45 ms less CPU (a master 130-180 -> 80-90 ms),
    // over the ~560 processes of a suite run.
    "--node-modules-dir=manual",
    "-A",
    "--unstable-worker-options",
    "--config",
    `${PROJECT_ROOT}deno.json`,
    `${PROJECT_ROOT}cli/main.ts`,
    ...args,
  ];
}

/**
 * `spate <args>` with the project's config, from `cwd` (default: project
 * root). Aborting `signal` kills the process (a test's deadline for a run
 * that might hang).
 */
export async function runCli(
  args: string[],
  cwd = PROJECT_ROOT,
  signal?: AbortSignal,
  env: Record<string, string> = {},
): Promise<CliResult> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: spateArgs(args),
    cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
    signal,
  });
  const out = await cmd.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A running `spate <args>` whose stderr is collected as it comes. */
export interface CliProcess {
  readonly child: Deno.ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves when stderr is closed (all of it read). */
  readonly stderrClosed: Promise<void>;
}

/** Starts `spate <args>` from the project root (stdout discarded), with `env` added. */
export function spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: spateArgs(args),
    cwd: PROJECT_ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  let text = "";
  const stderrClosed = (async () => {
    for await (const chunk of child.stderr) text += new TextDecoder().decode(chunk);
  })();
  return { child, stderr: () => text, stderrClosed };
}

/** The run summary `spate run --json` writes as one JSON line on stderr. */
export function runSummary(res: CliResult) {
  const line = res.stderr.split("\n").find((l) => l.startsWith('{"jobId"'));
  if (line === undefined) throw new Error(`no run summary on stderr:\n${res.stderr}`);
  return JSON.parse(line);
}

/** A path of a file under tests/_jobs. */
export function jobPath(name: string): string {
  return `${PROJECT_ROOT}tests/_jobs/${name}`;
}

/**
 * The arguments of `spate run examples/wordcount.ts`: `runArgs` for spate
 * (such as `--master URL -p 2`), `jobArgs` for the job (`--input`, `--output`, `--top`).
 */
export function wordcount(runArgs: string[], jobArgs: string[] = []): string[] {
  return [
    "run",
    "examples/wordcount.ts",
    ...runArgs,
    ...jobArgs.length > 0 ? ["--", ...jobArgs] : [],
  ];
}
