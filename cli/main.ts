/**
 * The spate command line. One program, several commands; this file only
 * dispatches and maps errors to exit codes (README's table: 1 the job failed,
 * 2 usage, job build errors or not enough slots, 3 the master cannot be reached).
 * @module
 */

import { GraphError } from "../core/graph/stream_graph.ts";
import { NotEnoughSlotsError } from "../nodes/master/slot_assignment.ts";
import { JobBuildError } from "../nodes/client/load_job.ts";
import { MasterUnreachableError } from "../nodes/client/master_unreachable.ts";
import { SpateHttpError } from "../client/errors.ts";
import { planCommand } from "./plan.ts";
import { masterCommand } from "./master.ts";
import { workerCommand } from "./worker.ts";
import { localCommand } from "./local.ts";
import { cancelCommand, listCommand, savepointCommand } from "./jobs.ts";
import { runCommand } from "./run.ts";
import { stopCommand } from "./stop.ts";
import { COMMANDS } from "../core/config/options.ts";
import { SPATE_VERSION } from "../core/version.ts";
import { closest } from "./suggest.ts";
import { commandHelp, USAGE, UsageError } from "./usage.ts";

const RUNNERS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  plan: planCommand,
  master: masterCommand,
  worker: workerCommand,
  local: localCommand,
  list: listCommand,
  cancel: cancelCommand,
  savepoint: savepointCommand,
  // Loaded when used: the X.509 library weighs on every other command's start-up.
  certs: async (args) => (await import("./certs.ts")).certsCommand(args),
  stop: stopCommand,
};

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
    if (e instanceof JobBuildError || e instanceof GraphError || e instanceof NotEnoughSlotsError) {
      console.error(`error: ${e.message}`);
      return 2;
    }
    if (e instanceof MasterUnreachableError) {
      console.error(`error: ${e.message}`);
      return 3;
    }
    // The master refused a call (a token's role, a bad submission): its reasons, no stack.
    if (e instanceof SpateHttpError) {
      console.error(`error: ${e.message}`);
      return 1;
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
