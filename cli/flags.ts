/** Flag parsing for every command, from the options registry. @module */

import { parseArgs } from "node:util";
import {
  choices,
  type Command,
  isOneOf,
  OPTIONS,
  optionsOf,
  type OptionSpec,
  type OptionValues,
} from "../core/config/options.ts";
import {
  etcdMasters,
  fixedMasters,
  type MasterSource,
} from "../nodes/protocol/master_discovery.ts";
import { parseEtcdEndpoints } from "../nodes/protocol/ha_keys.ts";
import { closest } from "./suggest.ts";
import { flagLabel, UsageError } from "./usage.ts";

type ParseArgsSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** The parseArgs spec of `command`'s flags. */
function argsSpec(command: Command): ParseArgsSpec {
  const spec: ParseArgsSpec = {};
  for (const o of optionsOf(command)) {
    const type = o.type === "boolean" ? "boolean" : "string";
    spec[o.flag!] = o.short === undefined ? { type } : { type, short: o.short };
  }
  return spec;
}

/**
 * Parses `args` strictly against `command`'s flags in the registry: unknown
 * flags, bad values and more than `positionals` positionals are usage errors.
 * Values are keyed by option key; an absent flag has no value.
 */
export function parseFlags(
  command: Command,
  args: string[],
  positionals = 0,
): { values: OptionValues; positionals: string[] } {
  checkFlags(command, args);
  let parsed;
  try {
    parsed = parseArgs({ args, options: argsSpec(command), allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`spate ${command}: ${(e as Error).message.split("\n")[0]}`);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(
      `spate ${command}: unexpected argument '${parsed.positionals[positionals]}'`,
    );
  }
  const values: Record<string, unknown> = {};
  for (const o of optionsOf(command)) {
    const raw = (parsed.values as Record<string, string | boolean | undefined>)[o.flag!];
    if (raw !== undefined) values[o.key] = flagValue(o, raw);
  }
  return { values: values as OptionValues, positionals: parsed.positionals };
}

/** Flags `command` does not know, and flags that lack or refuse a value, as usage errors. */
function checkFlags(command: Command, args: string[]): void {
  const options = argsSpec(command);
  const { tokens } = parseArgs({
    args,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const o = optionsOf(command).find((o) => o.flag === t.name);
    if (o === undefined) throw new UsageError(unknownFlagText(command, args, t.index));
    if (o.type !== "boolean" && t.value === undefined) {
      throw new UsageError(`spate ${command}: --${o.flag} needs a value (${flagLabel(o)})`);
    }
    if (o.type === "boolean" && t.inlineValue) {
      throw new UsageError(`spate ${command}: --${o.flag} takes no value, got '${args[t.index]}'`);
    }
  }
}

const JOB_FILE = /\.(ts|tsx|js|mjs|jsx)$/;

/**
 * "unknown flag": the nearest flag of the command, and for a command that
 * loads a job, that the job's own arguments go after `--`.
 */
function unknownFlagText(command: Command, args: string[], index: number): string {
  const given = args[index];
  const name = given.replace(/^--?/, "").split("=")[0];
  const near = given.startsWith("--")
    ? closest(name, optionsOf(command).map((o) => o.flag!))
    : undefined;
  const hints = near === undefined ? [] : [`did you mean --${near}?`];
  if (command === "run" || command === "plan") {
    const next = args[index + 1];
    const value = next !== undefined && !next.startsWith("-") && !JOB_FILE.test(next) &&
        !given.includes("=")
      ? ` ${next}`
      : "";
    const job = args.find((a) => JOB_FILE.test(a)) ?? "job.ts";
    hints.push(`job arguments go after --: spate ${command} ${job} -- ${given}${value}`);
  }
  return `spate ${command}: unknown flag '${given.split("=")[0]}'` +
    (hints.length === 0 ? "" : ` (${hints.join(" ")})`);
}

/** The value of a given flag, checked against the option's type and bounds. */
function flagValue(o: OptionSpec, raw: string | boolean): unknown {
  if (typeof raw === "boolean") return o.negatedByFlag ? !raw : raw;
  switch (o.type) {
    case "enum":
      if (!isOneOf(o.values!, raw)) {
        throw new UsageError(`--${o.flag} must be ${choices(o.values!)}, got '${raw}'`);
      }
      return raw;
    case "int":
    case "number":
      return numberValue(o, raw);
    default:
      return raw;
  }
}

function numberValue(o: OptionSpec, raw: string): number {
  const n = Number(raw);
  const min = o.min ?? -Infinity;
  const max = o.max ?? Infinity;
  if (o.type === "number") {
    if (!(n >= min && n <= max)) {
      throw new UsageError(
        `--${o.flag} must be a number of ${o.unit} in ${min}..${max}, got '${raw}'`,
      );
    }
    return n;
  }
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(
      min === 1
        ? `--${o.flag} must be a positive integer, got '${raw}'`
        : min === 0
        ? `--${o.flag} must be an integer >= 0, got '${raw}'`
        : `--${o.flag} must be at least ${min}${unitText(o)}, got ${raw}`,
    );
  }
  if (n > max) throw new UsageError(`--${o.flag} must be at most ${max}${unitText(o)}, got ${raw}`);
  return n;
}

function unitText(o: OptionSpec): string {
  return o.unit === undefined ? "" : ` ${o.unit}`;
}

/**
 * The origin of a master given as `host:port` or as an http(s) URL; `source`
 * names where the value came from in the error (`--master`, `$SPATE_MASTER`).
 */
export function masterOrigin(s: string, source = "--master"): string {
  const bad = (why: string) =>
    new UsageError(`${source} '${s}' ${why} (expected host:port or http://host:port)`);
  const [, scheme, host, port] = s.match(
    /^(?:([a-zA-Z][a-zA-Z0-9+.-]*):\/\/)?(\[[^\]]*\]|[^/:?#]*)(?::([^/?#]*))?/,
  )!;
  if (scheme !== undefined && !/^https?$/i.test(scheme)) {
    throw bad(`has the scheme ${scheme}: only http and https are spoken`);
  }
  if (host === "") throw bad("names no host");
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535)) {
    throw bad(`has the port '${port}': a port is a number in 1..65535`);
  }
  try {
    return new URL(scheme === undefined ? `http://${s}` : s).origin;
  } catch {
    throw bad("is not a URL");
  }
}

/**
 * The master URLs from --master, its environment variable, or its default:
 * one, or a comma list of a cluster's masters with high availability.
 */
export function masterFlag(v: string | undefined): string[] {
  const o = OPTIONS.masterUrl;
  const env = Deno.env.get(o.env);
  const [list, source] = v !== undefined
    ? [v, "--master"]
    : env !== undefined
    ? [env, `$${o.env}`]
    : [o.default, "--master"];
  const urls = list.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (urls.length === 0) throw new UsageError(`${source} '${list}' names no master`);
  return urls.map((u) => masterOrigin(u, source));
}

/**
 * Where a worker or `spate run` finds its masters: `--master` (or its
 * variable or default), or the election of `--cluster-id` in `--etcd`.
 */
export function masterSourceFlags(
  master: string | undefined,
  etcd: string | undefined,
  clusterId: string | undefined,
): MasterSource {
  if (etcd === undefined) {
    if (clusterId !== undefined) throw new UsageError("--cluster-id needs --etcd");
    return fixedMasters(masterFlag(master));
  }
  if (master !== undefined) {
    throw new UsageError(
      "--master and --etcd exclude each other: give one way to find the masters",
    );
  }
  try {
    return etcdMasters(parseEtcdEndpoints(etcd), clusterId ?? OPTIONS.clusterId.default);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
