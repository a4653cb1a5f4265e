/** Flags shared by the commands that load a job (run, plan). @module */

import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type {
  CheckpointTuning,
  EnvironmentDefaults,
  NetworkTuning,
  RuntimeMode,
} from "../core/graph/job_plan.ts";
import { UsageError } from "./usage.ts";

export interface JobOptions {
  readonly jobPath: string;
  readonly jobArgs: string[];
  readonly defaults: EnvironmentDefaults;
  readonly values: Record<string, string | boolean | undefined>;
}

type FlagSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

const JOB_FLAGS: FlagSpec = {
  parallelism: { type: "string", short: "p" },
  "max-parallelism": { type: "string" },
  mode: { type: "string" },
  "buffer-timeout": { type: "string" },
  "disable-chaining": { type: "boolean" },
  "checkpoint-interval": { type: "string" },
  "checkpoint-mode": { type: "string" },
  "checkpoint-dir": { type: "string" },
  "retained-checkpoints": { type: "string" },
  "state-backend": { type: "string" },
  "checkpoint-timeout": { type: "string" },
  "checkpoint-min-pause": { type: "string" },
  "max-concurrent-checkpoints": { type: "string" },
  "tolerable-checkpoint-failures": { type: "string" },
  "buffer-size": { type: "string" },
  "credits-per-channel": { type: "string" },
  "credits-per-remote-channel": { type: "string" },
  "in-slot-batch-records": { type: "string" },
  "task-slice-ms": { type: "string" },
  "credits-per-in-slot-channel": { type: "string" },
};

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  }
  return n;
}

/** Parses `<job.ts> [flags] [-- job args]` with the command's own extra flags. */
export function parseJobOptions(command: string, args: string[], extra: FlagSpec): JobOptions {
  const split = args.indexOf("--");
  const own = split >= 0 ? args.slice(0, split) : args;
  const jobArgs = split >= 0 ? args.slice(split + 1) : [];
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: { ...JOB_FLAGS, ...extra },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(`spate ${command}: ${(e as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? `spate ${command}: missing the job file (spate ${command} <job.ts>)`
        : `spate ${command}: one job file expected, got ${positionals.join(" ")} ` +
          `(pass job arguments after --)`,
    );
  }
  const mode = values.mode as string | undefined;
  if (mode !== undefined && !["streaming", "batch", "automatic"].includes(mode)) {
    throw new UsageError(`--mode must be streaming, batch or automatic, got '${mode}'`);
  }
  const timeout = values["buffer-timeout"] as string | undefined;
  const bufferTimeoutMs = timeout === undefined ? undefined : Number(timeout);
  if (bufferTimeoutMs !== undefined && !(bufferTimeoutMs >= 0 && bufferTimeoutMs < 2 ** 31)) {
    throw new UsageError(
      `--buffer-timeout must be a number of ms in 0..2147483647, got '${timeout}'`,
    );
  }
  const defaults: EnvironmentDefaults = {
    parallelism: positiveInt("parallelism", values.parallelism as string | undefined),
    maxParallelism: positiveInt("max-parallelism", values["max-parallelism"] as string | undefined),
    runtimeMode: mode as RuntimeMode | undefined,
    bufferTimeoutMs,
    chainingEnabled: values["disable-chaining"] === true ? false : undefined,
    checkpointIntervalMs: positiveInt(
      "checkpoint-interval",
      values["checkpoint-interval"] as string | undefined,
    ),
    checkpointMode: checkpointMode(values["checkpoint-mode"] as string | undefined),
    checkpointDir: values["checkpoint-dir"] === undefined
      ? undefined
      : resolve(values["checkpoint-dir"] as string),
    stateBackend: stateBackend(values["state-backend"] as string | undefined),
    checkpointConfig: checkpointTuning(values),
    network: networkTuning(values),
    retainedCheckpoints: positiveInt(
      "retained-checkpoints",
      values["retained-checkpoints"] as string | undefined,
    ),
  };
  return { jobPath: positionals[0], jobArgs, defaults, values };
}

export { positiveInt };

function checkpointMode(
  v: string | undefined,
): "exactly_once" | "at_least_once" | "unaligned" | undefined {
  if (v === undefined) return undefined;
  if (v !== "exactly_once" && v !== "at_least_once" && v !== "unaligned") {
    throw new UsageError(
      `--checkpoint-mode must be exactly_once, at_least_once or unaligned, got '${v}'`,
    );
  }
  return v;
}

function stateBackend(v: string | undefined): "heap" | "disk" | undefined {
  if (v === undefined) return undefined;
  if (v !== "heap" && v !== "disk") {
    throw new UsageError(`--state-backend must be heap or disk, got '${v}'`);
  }
  return v;
}

function checkpointTuning(
  values: Record<string, string | boolean | undefined>,
): CheckpointTuning | undefined {
  return anySet<CheckpointTuning>({
    timeoutMs: intFlag(values, "checkpoint-timeout", 1),
    minPauseMs: intFlag(values, "checkpoint-min-pause", 0),
    maxConcurrent: intFlag(values, "max-concurrent-checkpoints", 1),
    tolerableFailures: intFlag(values, "tolerable-checkpoint-failures", 0),
  });
}

function networkTuning(
  values: Record<string, string | boolean | undefined>,
): NetworkTuning | undefined {
  return anySet<NetworkTuning>({
    bufferSizeBytes: intFlag(values, "buffer-size", 256, " bytes"),
    creditsPerChannel: intFlag(values, "credits-per-channel", 1),
    creditsPerRemoteChannel: intFlag(values, "credits-per-remote-channel", 1),
    inSlotBatchRecords: intFlag(values, "in-slot-batch-records", 1),
    creditsPerInSlotChannel: intFlag(values, "credits-per-in-slot-channel", 1),
    taskSliceMs: intFlag(values, "task-slice-ms", 1),
  });
}

/** The integer value of `--name`, at least `min` (in `unit`); undefined when the flag is absent. */
function intFlag(
  values: Record<string, string | boolean | undefined>,
  name: string,
  min: number,
  unit = "",
): number | undefined {
  const v = values[name] as string | undefined;
  if (v === undefined) return undefined;
  if (min === 1) return positiveInt(name, v);
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(
      min === 0
        ? `--${name} must be an integer >= 0, got '${v}'`
        : `--${name} must be at least ${min}${unit}, got ${v}`,
    );
  }
  return n;
}

/** `settings` when any of its fields is set, otherwise undefined (the defaults apply). */
function anySet<T extends object>(settings: T): T | undefined {
  return Object.values(settings).some((v) => v !== undefined) ? settings : undefined;
}
