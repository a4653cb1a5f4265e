/**
 * Help texts, generated from the options registry: the global overview
 * (`spate help`) and one text per command (`spate help run`, `spate run --help`)
 * listing every flag of the command with its default. And the error for bad usage.
 * @module
 */

import {
  type Command,
  COMMANDS,
  defaultText,
  optionsOf,
  type OptionSpec,
} from "../core/config/options.ts";

/** Bad command-line usage: printed with where to find the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** What each command takes besides its flags, and what it does. */
const COMMAND_INFO: Record<Command, { readonly args: string; readonly about: string }> = {
  run: {
    args: "<job.ts> [options] [-- job arguments]",
    about: "Run a job on the embedded local cluster (slots are Web Workers), or with " +
      "--master URL submit it to a cluster and follow it (--detached: print the job id and return).",
  },
  plan: {
    args: "<job.ts> [options] [-- job arguments]",
    about: "Print the job's JobGraph (vertices, chaining, partitioners) without running it.",
  },
  master: { args: "[options]", about: "Run a master (REST API and RPC on one port)." },
  worker: { args: "[options]", about: "Run a worker that joins the master." },
  local: { args: "[options]", about: "Run a master and its workers in one process." },
  list: { args: "[options]", about: "List the cluster's jobs." },
  cancel: {
    args: "<job-id> [options]",
    about: "Cancel a job (with --with-savepoint: after taking a savepoint, whose directory it " +
      "prints).",
  },
  savepoint: {
    args: "<job-id> [options] | --dispose <path>",
    about: "Take a savepoint of a running job and print its directory (--dispose PATH: " +
      "delete a savepoint).",
  },
  stop: {
    args: "<job-id> [options]",
    about: "Stop a job with a savepoint and print its directory; the job ends FINISHED " +
      "(--drain: every event-time window fires first).",
  },
  certs: {
    args: "--out=DIR --hosts=LIST [options]",
    about: "Create a CA and one certificate per host for TLS, for tests and small clusters. " +
      "LIST is comma-separated; an entry host+alias+... also covers the aliases (host names " +
      "or IP addresses), e.g. --hosts master+10.0.0.1,w1+10.0.0.2,127.0.0.1. Writes " +
      "DIR/ca.pem (give it as --tls-ca everywhere), DIR/ca-key.pem (the CA's key: keep it " +
      "safe), and per host DIR/HOST.pem and DIR/HOST-key.pem (--tls-cert and --tls-key of " +
      "the process on that host; also a client identity for --tls-client-auth). Keys are " +
      "written with mode 0600; files already in DIR are never overwritten. Then: spate master --tls-cert DIR/master.pem --tls-key " +
      "DIR/master-key.pem --tls-ca DIR/ca.pem, and https:// URLs for --master.",
  },
};

const WIDTH = 100;
const FLAG_COLUMN = 34;

/** `words` in lines of at most `width` characters, each after `indent`. */
function wrap(words: readonly string[], indent: string, width = WIDTH): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    if (line !== "" && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  lines.push(indent + line);
  return lines;
}

function words(text: string): string[] {
  return text.split(" ");
}

const EXIT_CODES = wrap(
  words(
    "Exit codes: 0 success, 1 the job failed, 2 bad usage, a job that cannot be built or " +
      "not enough slots, 3 the master cannot be reached, 130 interrupted (Ctrl-C).",
  ),
  "",
).join("\n");

/** The flag as help and README write it: `-p, --parallelism N`. */
export function flagLabel(o: OptionSpec): string {
  const short = o.short === undefined ? "" : `-${o.short}, `;
  return `${short}--${o.flag}${o.arg === undefined ? "" : ` ${o.arg}`}`;
}

/** The explanation of an option in help, in words: doc, choices and default (each kept whole). */
export function optionWords(o: OptionSpec): string[] {
  const values = o.values === undefined ? [] : [`[${o.values.join("|")}]`];
  return [...words(o.doc), ...values, `[default: ${defaultText(o)}]`];
}

/** Help lines of `options`, flags in a column. */
function optionLines(options: readonly OptionSpec[]): string[] {
  const lines: string[] = [];
  for (const o of options) {
    const label = `  ${o.short === undefined ? "    " : ""}${flagLabel(o)}`;
    const indent = " ".repeat(FLAG_COLUMN);
    const [first, ...rest] = wrap(optionWords(o), indent);
    lines.push(
      label.length < FLAG_COLUMN
        ? label.padEnd(FLAG_COLUMN) + first.slice(FLAG_COLUMN)
        : `${label}\n${first}`,
      ...rest,
    );
  }
  return lines;
}

/**
 * The help of one command: its usage line, what it does, and every flag it
 * takes with its default.
 */
export function commandHelp(command: Command): string {
  const info = COMMAND_INFO[command];
  return [
    `Usage: spate ${command} ${info.args}`,
    "",
    ...wrap(words(info.about), ""),
    "",
    "Options:",
    ...optionLines(optionsOf(command)),
    `${"  -h, --help".padEnd(FLAG_COLUMN)}show this help`,
    "",
    EXIT_CODES,
  ].join("\n");
}

/** The options `run` takes, with or without `plan`. */
function runOptions(withPlan: boolean): OptionSpec[] {
  return optionsOf("run").filter((o) => o.commands.includes("plan") === withPlan);
}

function overview(): string {
  const commands = COMMANDS.flatMap((c) => [
    `  spate ${c} ${COMMAND_INFO[c].args}`,
    ...wrap(words(COMMAND_INFO[c].about), "      "),
  ]);
  return [
    "spate: distributed stream and batch processing for Deno",
    "",
    "Usage:",
    ...commands,
    "  spate help [command]",
    "      Show this text, or every flag of a command with its default.",
    "  spate version",
    "      Print spate's version (also: spate --version).",
    "",
    "Options (run, plan):",
    ...optionLines(runOptions(true)),
    "Options (run):",
    ...optionLines(runOptions(false)),
    "",
    "Flags of master, worker, local, list, cancel, savepoint, stop and certs: spate help <command>.",
    EXIT_CODES,
  ].join("\n");
}

/** The global overview: every command, and the flags of run and plan. */
export const USAGE: string = overview();
