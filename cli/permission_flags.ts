/**
 * The sandbox flags: `spate run --allow-read=... --allow-net=...` (what the
 * job's code may do in its slots) and `--job-permissions-max POLICY` of
 * master, worker and local (the most a job may ask for).
 * @module
 */

import {
  DEFAULT_JOB_PERMISSIONS_MAX,
  type JobPermissions,
  parsePermissionList,
  parsePermissionPolicy,
  type PermissionKind,
} from "../core/config/job_permissions.ts";
import type { Command, OptionKey, OptionValues } from "../core/config/options.ts";
import { resolveLocation } from "../core/fs/location.ts";
import { UsageError } from "./usage.ts";

const FLAGS: readonly [PermissionKind, OptionKey][] = [
  ["read", "allowRead"],
  ["write", "allowWrite"],
  ["net", "allowNet"],
  ["env", "allowEnv"],
  ["run", "allowRun"],
  ["ffi", "allowFfi"],
  ["sys", "allowSys"],
];

/** Job arguments whose value the job reads: it may read it without --allow-read. */
export const INPUT_ARGS = ["input"];
/** Job arguments whose value the job writes: it may write (and read) it without --allow-write. */
export const OUTPUT_ARGS = ["output", "out"];

/** The values of `--name V` / `--name=V` among the job's arguments, for each name. */
function argValues(jobArgs: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  jobArgs.forEach((a, i) => {
    for (const n of names) {
      if (a === `--${n}` && i + 1 < jobArgs.length) out.push(jobArgs[i + 1]);
      else if (a.startsWith(`--${n}=`)) out.push(a.slice(n.length + 3));
    }
  });
  return out.filter((v) => v !== "" && !v.startsWith("--"));
}

/**
 * The job's permissions from `spate run`'s flags (a path it may write, it
 * may also read), plus the defaults derived
 * from its arguments: read its `--input`, write and read its `--output` and
 * `--out` (resolved against this directory, as the job resolves them).
 */
export function jobPermissionsFromFlags(
  values: OptionValues,
  jobArgs: readonly string[],
): JobPermissions {
  const out: Partial<Record<PermissionKind, string[]>> = {};
  const add = (kind: PermissionKind, entries: string[]) => {
    if (entries.length > 0) out[kind] = [...new Set([...out[kind] ?? [], ...entries])];
  };
  for (const [kind, key] of FLAGS) {
    const text = values[key];
    if (typeof text !== "string") continue;
    try {
      const entries = parsePermissionList(kind, text, (p) => resolveLocation(p));
      add(kind, entries);
      // What a job writes it may read back (a sink commits its part files by renaming them).
      if (kind === "write") add("read", entries);
    } catch (e) {
      throw new UsageError(`--allow-${kind}: ${(e as Error).message}`);
    }
  }
  const local = (paths: string[]) =>
    paths.filter((p) => !p.startsWith("s3://")).map((p) => resolveLocation(p));
  const outputs = local(argValues(jobArgs, OUTPUT_ARGS));
  add("read", [...local(argValues(jobArgs, INPUT_ARGS)), ...outputs]);
  add("write", outputs);
  return out;
}

/** `--job-permissions-max` of `command` (its default when absent); a bad policy is a usage error. */
export function jobPermissionsMax(command: Command, text: string | undefined): JobPermissions {
  try {
    return parsePermissionPolicy(text ?? DEFAULT_JOB_PERMISSIONS_MAX);
  } catch (e) {
    throw new UsageError(`spate ${command}: --job-permissions-max: ${(e as Error).message}`);
  }
}
