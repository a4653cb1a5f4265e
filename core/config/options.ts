/**
 * The options registry: every setting a user can give spate, once. Each has
 * its key (camelCase, unit last), its command-line flag, type, unit, bounds,
 * default, a one-line doc, the commands that take it, and, for a job setting
 * sent to the master, its field in the job's defaults and submission. The
 * CLI flags and help, the REST validation and the runtime's defaults are all
 * read from here, so they cannot disagree. Imports nothing from the repo.
 *
 * @example
 * ```ts
 * import { OPTIONS } from "./options.ts";
 * OPTIONS.bufferTimeoutMs.default; // 100
 * OPTIONS.bufferTimeoutMs.flag; // "buffer-timeout"
 * ```
 * @module
 */

import { JOB_OPTIONS } from "./job_options.ts";
import type { Command, OptionSpec } from "./option_spec.ts";
import { INTERNAL_OPTIONS, PROCESS_OPTIONS, S3_OPTIONS } from "./process_options.ts";
import { CLUSTER_COMMAND_OPTIONS, RUN_OPTIONS } from "./run_options.ts";
import { SECURITY_OPTIONS } from "./security_options.ts";

export * from "./option_spec.ts";

/** The registry, by key: the job settings first, then the client's and the processes'. */
export const OPTIONS = {
  ...JOB_OPTIONS,
  ...RUN_OPTIONS,
  ...PROCESS_OPTIONS,
  ...SECURITY_OPTIONS,
  ...S3_OPTIONS,
  ...CLUSTER_COMMAND_OPTIONS,
  ...INTERNAL_OPTIONS,
} as const;

/** The key of an option. */
export type OptionKey = keyof typeof OPTIONS;

type ValueOf<S> = S extends { readonly type: "enum"; readonly values: readonly (infer V)[] } ? V
  : S extends { readonly type: "int" | "number" } ? number
  : S extends { readonly type: "boolean" } ? boolean
  : string;

/** The value type of the option `K`. */
export type OptionValue<K extends OptionKey> = ValueOf<(typeof OPTIONS)[K]>;

/** Values of options by key, each optional (absent: not given). */
export type OptionValues = { -readonly [K in OptionKey]?: OptionValue<K> };

/** The registry's entries, each with its key. */
export const OPTION_LIST: readonly Option[] = Object.entries(
  OPTIONS,
).map(([key, spec]) => ({ key: key as OptionKey, ...spec }));

/**
 * The options of `command`, in registry order.
 *
 * @example
 * ```ts
 * import { optionsOf } from "./options.ts";
 * optionsOf("master").map((o) => o.flag); // ["host", "port", "blob-dir", ...]
 * ```
 */
export function optionsOf(command: Command): Option[] {
  return OPTION_LIST.filter((o) => o.commands.includes(command));
}

/** An option with its key. */
export type Option = OptionSpec & { readonly key: OptionKey };

/**
 * The job settings whose field lies in `group` (`"network"`, `"checkpointConfig"`),
 * by their field name within it; without a group, those that are fields of
 * the job's defaults themselves.
 *
 * @example
 * ```ts
 * import { jobGroup } from "./options.ts";
 * jobGroup("checkpointConfig").get("timeoutMs")?.key; // "checkpointTimeoutMs"
 * jobGroup().get("stateBackend")?.values; // ["heap", "disk"]
 * ```
 */
export function jobGroup(group?: string): Map<string, Option> {
  const prefix = group === undefined ? "" : `${group}.`;
  const fields = new Map<string, Option>();
  for (const o of OPTION_LIST) {
    if (o.job === undefined || !o.job.startsWith(prefix)) continue;
    const field = o.job.slice(prefix.length);
    if (!field.includes(".")) fields.set(field, o);
  }
  return fields;
}
