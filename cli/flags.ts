/** Flag parsing shared by the cluster commands. @module */

import { parseArgs } from "node:util";
import { UsageError } from "./usage.ts";

type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** Parses `args` strictly; unknown flags and stray positionals are usage errors. */
export function parseFlags<O extends FlagSpec>(
  command: string,
  args: string[],
  options: O,
  positionals = 0,
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`spate ${command}: ${(e as Error).message}`);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(
      `spate ${command}: unexpected argument '${parsed.positionals[positionals]}'`,
    );
  }
  return parsed;
}

/** A non-negative integer flag (undefined when absent). */
export function intFlag(name: string, v: unknown, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer >= ${min}, got '${v}'`);
  }
  return n;
}

/** The master URL from --master, SPATE_MASTER, or the default. */
export function masterFlag(v: unknown): string {
  const s = (v as string | undefined) ?? Deno.env.get("SPATE_MASTER") ?? "127.0.0.1:8081";
  const url = /^https?:\/\//.test(s) ? s : `http://${s}`;
  try {
    return new URL(url).origin;
  } catch {
    throw new UsageError(`--master must be host:port or a URL, got '${s}'`);
  }
}

/** Resolves when the process is asked to stop (Ctrl-C or SIGTERM). */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      Deno.addSignalListener(sig, () => resolve(sig));
    }
  });
}
