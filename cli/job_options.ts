/** The flags of the commands that load a job (run, plan). @module */

import { resolveLocation } from "../core/fs/location.ts";
import type {
  CheckpointTuning,
  EnvironmentDefaults,
  NetworkTuning,
} from "../core/graph/job_plan.ts";
import { type Command, jobGroup, type OptionValues } from "../core/config/options.ts";
import { parseFlags } from "./flags.ts";
import type { JobPermissions } from "../core/config/job_permissions.ts";
import { jobPermissionsFromFlags } from "./permission_flags.ts";
import { UsageError } from "./usage.ts";

export interface JobOptions {
  readonly jobPath: string;
  readonly jobArgs: string[];
  readonly defaults: EnvironmentDefaults;
  /** The job's sandbox: the --allow-* flags and what its arguments name. */
  readonly permissions: JobPermissions;
  /** Every flag given, by option key. */
  readonly values: OptionValues;
}

/** Parses `<job.ts> [flags] [-- job args]` against the flags of `command`. */
export function parseJobOptions(command: Command, args: string[]): JobOptions {
  const split = args.indexOf("--");
  const own = split >= 0 ? args.slice(0, split) : args;
  const jobArgs = split >= 0 ? args.slice(split + 1) : [];
  const { values: v, positionals } = parseFlags(command, own, Infinity);
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? `spate ${command}: missing the job file (spate ${command} <job.ts>)`
        : `spate ${command}: one job file expected, got ${positionals.join(" ")} ` +
          `(pass job arguments after --)`,
    );
  }
  const defaults: EnvironmentDefaults = {
    parallelism: v.parallelism,
    maxParallelism: v.maxParallelism,
    runtimeMode: v.runtimeMode,
    bufferTimeoutMs: v.bufferTimeoutMs,
    chainingEnabled: v.chainingEnabled,
    checkpointIntervalMs: v.checkpointIntervalMs,
    checkpointMode: v.checkpointMode,
    checkpointDir: v.checkpointDir === undefined ? undefined : resolveLocation(v.checkpointDir),
    stateBackend: v.stateBackend,
    checkpointConfig: group<CheckpointTuning>("checkpointConfig", v),
    network: group<NetworkTuning>("network", v),
    retainedCheckpoints: v.retainedCheckpoints,
  };
  const permissions = jobPermissionsFromFlags(v, jobArgs);
  return { jobPath: positionals[0], jobArgs, defaults, permissions, values: v };
}

/** The settings of a job-settings group that were given; undefined when none was (defaults apply). */
function group<T extends object>(name: string, values: OptionValues): T | undefined {
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [field, o] of jobGroup(name)) {
    out[field] = values[o.key];
    any ||= values[o.key] !== undefined;
  }
  return any ? out as T : undefined;
}
