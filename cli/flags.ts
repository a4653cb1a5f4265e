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
import { UsageError } from "./usage.ts";

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
  let parsed;
  try {
    parsed = parseArgs({ args, options: argsSpec(command), allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`spate ${command}: ${(e as Error).message}`);
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

/** The origin of a master given as `host:port` or as a URL. */
export function masterOrigin(s: string): string {
  const url = /^https?:\/\//.test(s) ? s : `http://${s}`;
  try {
    return new URL(url).origin;
  } catch {
    throw new UsageError(`--master must be host:port or a URL, got '${s}'`);
  }
}

/** The master URL from --master, its environment variable, or its default. */
export function masterFlag(v: string | undefined): string {
  const o = OPTIONS.masterUrl;
  return masterOrigin(v ?? Deno.env.get(o.env) ?? o.default);
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(sig, () => resolve(sig));
    }
  });
}
