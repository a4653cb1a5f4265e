/**
 * The shape of the options registry (core/config/options.ts): the commands,
 * the unions options take (each once, its type derived), what one option
 * declares, and the helpers that read a declaration. Imports nothing.
 * @module
 */

/** The commands whose flags the registry holds. */
export const COMMANDS = [
  "run",
  "plan",
  "master",
  "worker",
  "local",
  "list",
  "cancel",
  "savepoint",
  "certs",
  "stop",
] as const;
/** A command of the `spate` program. */
export type Command = (typeof COMMANDS)[number];

/** Execution modes of a job (Flink's RuntimeExecutionMode). */
export const RUNTIME_MODES = ["streaming", "batch", "automatic"] as const;
/** Execution mode of a job: `automatic` is batch when every source is bounded. */
export type RuntimeMode = (typeof RUNTIME_MODES)[number];

/** How barriers are aligned at tasks with several inputs. */
export const CHECKPOINT_MODES = ["exactly_once", "at_least_once", "unaligned"] as const;
/** Aligned exactly-once, at-least-once (never blocks), or unaligned exactly-once. */
export type CheckpointMode = (typeof CHECKPOINT_MODES)[number];

/** High-availability modes: none (one master, as without HA) or etcd (leader election). */
export const HA_MODES = ["none", "etcd"] as const;
/** A high-availability mode. */
export type HaMode = (typeof HA_MODES)[number];

/** Formats of the processes' log lines: the plain text lines, or one JSON object per line. */
export const LOG_FORMATS = ["text", "json"] as const;

/** How a worker's buffers reach other processes (`--data-plane`). */
export const DATA_PLANES = ["relay", "direct"] as const;

/** A worker's data plane. */
export type DataPlane = (typeof DATA_PLANES)[number];
/** A format of log lines. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Levels of log lines, least severe first; a process prints its level and those after it. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
/** A level of log lines. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where keyed state lives. */
export const STATE_BACKENDS = ["heap", "disk"] as const;
/** The heap, or local disk for key groups beyond the slot's managed memory. */
export type StateBackendKind = (typeof STATE_BACKENDS)[number];

/** The value types of options. */
export type OptionType = "int" | "number" | "string" | "boolean" | "enum";
/** Units of numeric options (the key ends with it: `Ms`, `Bytes`, `Mb`); every time is in ms. */
export type Unit = "ms" | "bytes" | "MiB";

/** One option of the registry. */
export interface OptionSpec {
  /** The long flag without its dashes; absent: a setting no command exposes. */
  readonly flag?: string;
  /** The one-letter flag. */
  readonly short?: string;
  readonly type: OptionType;
  /** The allowed values of an enum. */
  readonly values?: readonly string[];
  /** The value's placeholder in help (`N`, `MS`). */
  readonly arg?: string;
  readonly unit?: Unit;
  /** Smallest value a flag accepts. */
  readonly min?: number;
  /** Largest value accepted anywhere. */
  readonly max?: number;
  /** What 0 means where a program (the API, a REST submission) passes it; a flag needs `min`. */
  readonly zero?: string;
  /** A boolean flag that turns the setting (default true) off. */
  readonly negatedByFlag?: boolean;
  readonly default?: number | string | boolean;
  /** How help shows a default that is computed or depends on where the command runs. */
  readonly defaultText?: string;
  /** An environment variable read when the flag is absent. */
  readonly env?: string;
  /** What the option does, in one line. */
  readonly doc: string;
  readonly commands: readonly Command[];
  /**
   * A job setting sent to the master: its field in the job's defaults (a
   * submission's `job.defaults`; some also at the submission's top level).
   */
  readonly job?: string;
  /** A run setting sent to the master: its field in the submission (not in the job's defaults). */
  readonly submission?: string;
}

/** The commands that load a job. */
export const JOB: readonly Command[] = ["run", "plan"];
/** The commands whose process reads or writes checkpoint storage. */
export const STORAGE: readonly Command[] = ["run", "master", "worker", "local"];
/** The commands that serve TLS or talk to a master or worker, and so verify it with TLS. */
export const TLS_CLIENTS: readonly Command[] = [
  "run",
  "master",
  "worker",
  "local",
  "list",
  "cancel",
  "savepoint",
];
/** A day in ms. */
export const DAY_MS = 24 * 3600 * 1000;
/** The longest delay a timer takes (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** A mebibyte in bytes. */
export const MIB = 1024 * 1024;

/**
 * The integers a program (the API, a REST submission) may give an int
 * option: `[min, max]`, from 0 where 0 has a meaning.
 *
 * @example
 * ```ts
 * import { OPTIONS, submissionRange } from "./options.ts";
 * submissionRange(OPTIONS.slotTimeoutMs); // [0, 86400000]
 * ```
 */
export function submissionRange(o: OptionSpec): [number, number] {
  const min = o.zero !== undefined ? 0 : (o.min ?? 0);
  return [min, o.max ?? Number.MAX_SAFE_INTEGER];
}

/**
 * Whether `v` is one of `values` (narrows it to their union).
 *
 * @example
 * ```ts
 * import { CHECKPOINT_MODES, isOneOf } from "./options.ts";
 * isOneOf(CHECKPOINT_MODES, "unaligned"); // true
 * ```
 */
export function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return (values as readonly unknown[]).includes(v);
}

/**
 * `values` as a phrase: `a, b or c`.
 *
 * @example
 * ```ts
 * import { choices, STATE_BACKENDS } from "./options.ts";
 * choices(STATE_BACKENDS); // "heap or disk"
 * ```
 */
export function choices(values: readonly string[]): string {
  return values.length <= 1
    ? values.join("")
    : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

/**
 * The default as help and README show it: its text, or the value with its unit.
 *
 * @example
 * ```ts
 * import { defaultText, OPTIONS } from "./options.ts";
 * defaultText(OPTIONS.bufferTimeoutMs); // "100 ms"
 * ```
 */
export function defaultText(o: OptionSpec): string {
  if (o.defaultText !== undefined) return o.defaultText;
  if (o.type === "boolean") return "off";
  if (o.default === undefined) return "none";
  return o.unit === undefined ? String(o.default) : `${o.default} ${o.unit}`;
}
