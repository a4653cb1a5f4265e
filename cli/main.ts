/**
 * The spate command line. One program, several commands; this file only
 * dispatches and maps errors to exit codes (README's table: 1 the job failed,
 * 2 usage, job build errors or not enough slots, 3 the master cannot be reached).
 * @module
 */

import { COMMANDS } from "../core/config/options.ts";
import { SPATE_VERSION } from "../core/version.ts";
import { closest } from "./suggest.ts";
import { commandHelp, USAGE, UsageError } from "./usage.ts";

// Each command's modules load when it runs: a process loads only what its command needs
// (help needs none of the runtime, a worker neither the REST API nor the client).
const RUNNERS: Record<string, (args: string[]) => Promise<number>> = {
  run: async (args) => (await load("./run.ts")).runCommand(args),
  plan: async (args) => (await load("./plan.ts")).planCommand(args),
  master: async (args) => (await load("./master.ts")).masterCommand(args),
  worker: async (args) => (await load("./worker.ts")).workerCommand(args),
  local: async (args) => (await load("./local.ts")).localCommand(args),
  list: async (args) => (await load("./jobs.ts")).listCommand(args),
  cancel: async (args) => (await load("./jobs.ts")).cancelCommand(args),
  savepoint: async (args) => (await load("./jobs.ts")).savepointCommand(args),
  certs: async (args) => (await load("./certs.ts")).certsCommand(args),
  stop: async (args) => (await load("./stop.ts")).stopCommand(args),
};

/** What the modules `load` reads export. */
type Loaded =
  & typeof import("./run.ts")
  & typeof import("./plan.ts")
  & typeof import("./master.ts")
  & typeof import("./worker.ts")
  & typeof import("./local.ts")
  & typeof import("./jobs.ts")
  & typeof import("./certs.ts")
  & typeof import("./stop.ts")
  & typeof import("./exit_code.ts");

/**
 * Imports the module `file` of this directory. The specifier is built at run
 * time on purpose: Deno reads the whole module graph of every literal
 * `import("...")` as the process starts, which would cost every process the
 * graphs of all the commands (`deno task compile` --includes these modules).
 */
async function load(file: string): Promise<Loaded> {
  return await import(new URL(file, import.meta.url).href);
}

/** "unknown command", with the nearest command. */
function unknownCommand(command: string): UsageError {
  const near = closest(command, [...Object.keys(RUNNERS), "help", "version"]);
  return new UsageError(
    `unknown command '${command}'${near === undefined ? "" : ` (did you mean '${near}'?)`}`,
  );
}

/** Prints the help of `command`. */
function help(command: string): number {
  if (!(COMMANDS as readonly string[]).includes(command)) {
    return usageFailure(unknownCommand(command), "help");
  }
  console.log(commandHelp(command as (typeof COMMANDS)[number]));
  return 0;
}

/** Prints a usage error with where to read more (not the whole help); exit code 2. */
function usageFailure(e: UsageError, command: string | undefined): number {
  const more = command === undefined || command === "help"
    ? "spate help"
    : `spate ${command} --help`;
  console.error(`error: ${e.message}\nsee '${more}'`);
  return 2;
}

/** Runs the CLI with `args`; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    if (command === "help" && rest.length > 0) return help(rest[0]);
    console.log(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "version" || command === "--version") {
    console.log(`spate ${SPATE_VERSION} (deno ${Deno.version.deno})`);
    return 0;
  }
  const run = RUNNERS[command];
  // `spate run --help`: flags after `--` belong to the job and are left alone.
  const own = rest.indexOf("--") < 0 ? rest : rest.slice(0, rest.indexOf("--"));
  if (run !== undefined && (own.includes("--help") || own.includes("-h"))) {
    return help(command);
  }
  try {
    if (run === undefined) throw unknownCommand(command);
    return await run(rest);
  } catch (e) {
    if (e instanceof UsageError) return usageFailure(e, run === undefined ? undefined : command);
    const code = (await load("./exit_code.ts")).exitCodeOf(e);
    if (code !== undefined) {
      console.error(`error: ${(e as Error).message}`);
      return code;
    }
    console.error(`error: ${(e as Error).stack ?? e}`);
    return 1;
  }
}

if (import.meta.main) {
  // `deno task` runs in the project directory; paths are the caller's.
  const callerDir = Deno.env.get("INIT_CWD");
  if (callerDir) Deno.chdir(callerDir);
  Deno.exit(await main(Deno.args));
}
