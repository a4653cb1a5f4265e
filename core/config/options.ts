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

const JOB: readonly Command[] = ["run", "plan"];
/** The commands whose process reads or writes checkpoint storage. */
const STORAGE: readonly Command[] = ["run", "master", "worker", "local"];
const DAY_MS = 24 * 3600 * 1000;
/** The longest delay a timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIB = 1024 * 1024;

/** The registry, by key. */
export const OPTIONS = {
  // Job settings (run, plan): sent to the master in the job's defaults.
  parallelism: {
    flag: "parallelism",
    short: "p",
    type: "int",
    arg: "N",
    min: 1,
    max: 32_768,
    default: 1,
    doc: "default parallelism of operators",
    commands: JOB,
    job: "parallelism",
  },
  maxParallelism: {
    flag: "max-parallelism",
    type: "int",
    arg: "N",
    min: 1,
    max: 32_768,
    default: 128,
    doc: "key groups of keyed state (the highest parallelism a keyed operator can have)",
    commands: JOB,
    job: "maxParallelism",
  },
  runtimeMode: {
    flag: "mode",
    type: "enum",
    values: RUNTIME_MODES,
    arg: "MODE",
    default: "automatic",
    doc: "execution mode (automatic: batch when every source is bounded and no checkpoints)",
    commands: JOB,
    job: "runtimeMode",
  },
  bufferTimeoutMs: {
    flag: "buffer-timeout",
    type: "number",
    unit: "ms",
    arg: "MS",
    min: 0,
    max: MAX_TIMER_MS,
    default: 100,
    doc: "flush partly filled buffers after MS ms (0 = every record)",
    commands: JOB,
    job: "bufferTimeoutMs",
  },
  chainingEnabled: {
    flag: "disable-chaining",
    type: "boolean",
    negatedByFlag: true,
    default: true,
    doc: "run every operator as its own task",
    commands: JOB,
    job: "chainingEnabled",
  },
  checkpointIntervalMs: {
    flag: "checkpoint-interval",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 10,
    max: DAY_MS,
    zero: "no checkpoints",
    default: 0,
    defaultText: "off",
    doc: "take a checkpoint every MS ms (barriers through the job)",
    commands: JOB,
    job: "checkpointIntervalMs",
  },
  checkpointMode: {
    flag: "checkpoint-mode",
    type: "enum",
    values: CHECKPOINT_MODES,
    arg: "M",
    default: "exactly_once",
    doc: "aligned exactly-once, at-least-once, or unaligned (exactly-once, barriers never " +
      "wait: in-flight data is stored)",
    commands: JOB,
    job: "checkpointMode",
  },
  checkpointDir: {
    flag: "checkpoint-dir",
    type: "string",
    arg: "D",
    default: ".spate/checkpoints",
    defaultText: "./.spate/checkpoints of the master",
    doc: "checkpoints go to D/<job id>/chk-<n>/: a directory every worker reaches (local or " +
      "shared) or s3://bucket/prefix",
    commands: JOB,
    job: "checkpointDir",
  },
  retainedCheckpoints: {
    flag: "retained-checkpoints",
    type: "int",
    arg: "N",
    min: 1,
    max: 1000,
    default: 3,
    doc: "completed checkpoints kept",
    commands: JOB,
    job: "retainedCheckpoints",
  },
  checkpointTimeoutMs: {
    flag: "checkpoint-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: DAY_MS,
    default: 600_000,
    doc: "abort a checkpoint not complete after MS ms",
    commands: JOB,
    job: "checkpointConfig.timeoutMs",
  },
  checkpointMinPauseMs: {
    flag: "checkpoint-min-pause",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 0,
    max: DAY_MS,
    default: 0,
    doc: "least time between a completion and the next trigger",
    commands: JOB,
    job: "checkpointConfig.minPauseMs",
  },
  maxConcurrentCheckpoints: {
    flag: "max-concurrent-checkpoints",
    type: "int",
    arg: "N",
    min: 1,
    max: 100,
    default: 1,
    doc: "checkpoints in progress at once",
    commands: JOB,
    job: "checkpointConfig.maxConcurrent",
  },
  tolerableCheckpointFailures: {
    flag: "tolerable-checkpoint-failures",
    type: "int",
    arg: "N",
    min: 0,
    max: 1_000_000,
    default: 0,
    doc: "consecutive failed checkpoints before the job fails over",
    commands: JOB,
    job: "checkpointConfig.tolerableFailures",
  },
  stateBackend: {
    flag: "state-backend",
    type: "enum",
    values: STATE_BACKENDS,
    arg: "B",
    default: "heap",
    doc: "where keyed state lives (disk: key groups beyond the slot's managed memory on disk)",
    commands: JOB,
    job: "stateBackend",
  },
  bufferSizeBytes: {
    flag: "buffer-size",
    type: "int",
    unit: "bytes",
    arg: "BYTES",
    min: 256,
    max: 4 * MIB,
    default: 32 * 1024,
    doc: "target size of a network buffer",
    commands: JOB,
    job: "network.bufferSizeBytes",
  },
  creditsPerChannel: {
    flag: "credits-per-channel",
    type: "int",
    arg: "N",
    min: 1,
    max: 4096,
    default: 32,
    doc: "buffers in flight per channel between slots of a worker",
    commands: JOB,
    job: "network.creditsPerChannel",
  },
  creditsPerRemoteChannel: {
    flag: "credits-per-remote-channel",
    type: "int",
    arg: "N",
    min: 1,
    max: 4096,
    default: 128,
    doc: "buffers in flight per channel between workers",
    commands: JOB,
    job: "network.creditsPerRemoteChannel",
  },
  inSlotBatchRecords: {
    flag: "in-slot-batch-records",
    type: "int",
    arg: "N",
    min: 1,
    max: 65_536,
    default: 256,
    doc: "records per batch on a channel within a slot",
    commands: JOB,
    job: "network.inSlotBatchRecords",
  },
  creditsPerInSlotChannel: {
    flag: "credits-per-in-slot-channel",
    type: "int",
    arg: "N",
    min: 1,
    max: 4096,
    default: 4,
    doc: "batches in flight per channel within a slot",
    commands: JOB,
    job: "network.creditsPerInSlotChannel",
  },
  taskSliceMs: {
    flag: "task-slice-ms",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: 60_000,
    default: 5,
    doc: "about the longest a task runs before its slot takes other work",
    commands: JOB,
    job: "network.taskSliceMs",
  },
  json: {
    flag: "json",
    type: "boolean",
    default: false,
    doc: "print JSON (run: the summary as one line on stderr; plan: the plan; list: the jobs)",
    commands: ["run", "plan", "list"],
  },

  // Run: where and how the job runs.
  local: {
    flag: "local",
    type: "boolean",
    default: false,
    defaultText: "on without --master",
    doc: "run on the embedded local cluster",
    commands: ["run"],
  },
  clusterMasterUrl: {
    flag: "master",
    short: "m",
    type: "string",
    arg: "URL",
    defaultText: "none: run locally",
    doc: "submit to the cluster whose master is at URL (host:port); with --ha masters, all " +
      "of them, comma-separated: the job is followed across a failover",
    commands: ["run"],
  },
  localSlots: {
    flag: "slots",
    type: "int",
    arg: "M",
    min: 1,
    defaultText: "as many as the job needs",
    doc: "slots of the local cluster",
    commands: ["run"],
  },
  restartStrategy: {
    flag: "restart-strategy",
    type: "string",
    arg: "S",
    default: "fixed-delay:3:1000",
    defaultText: "fixed-delay:3:1000 on a cluster, none locally",
    doc: "none, fixed-delay:3:1000, exponential-delay:1000:60000 or failure-rate:3:60000:1000",
    commands: ["run"],
    submission: "restartStrategy",
  },
  slotTimeoutMs: {
    flag: "slot-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: DAY_MS,
    zero: "fail at once",
    default: 30_000,
    doc: "how long a cluster job waits for enough free slots",
    commands: ["run"],
    submission: "slotTimeoutMs",
  },
  detached: {
    flag: "detached",
    short: "d",
    type: "boolean",
    default: false,
    doc: "with --master: print the job id and return at once",
    commands: ["run"],
  },
  fromSavepoint: {
    flag: "from-savepoint",
    short: "s",
    type: "string",
    arg: "P",
    doc: "start from the savepoint (or retained checkpoint) directory P; parallelism may " +
      "differ (key groups are redistributed)",
    commands: ["run"],
    submission: "restoreFrom.path",
  },
  allowNonRestoredState: {
    flag: "allow-non-restored-state",
    type: "boolean",
    default: false,
    doc: "drop savepoint state that matches no operator uid",
    commands: ["run"],
    submission: "restoreFrom.allowNonRestoredState",
  },

  // Processes: master, worker, local.
  masterUrl: {
    flag: "master",
    short: "m",
    type: "string",
    arg: "URL",
    default: "127.0.0.1:8081",
    env: "SPATE_MASTER",
    defaultText: "$SPATE_MASTER, else 127.0.0.1:8081",
    doc: "the master's URL (host:port); with --ha masters, all of them, comma-separated",
    commands: ["worker", "list", "cancel", "savepoint"],
  },
  bindHost: {
    flag: "host",
    type: "string",
    arg: "H",
    default: "127.0.0.1",
    doc: "address the server binds to (master: REST and RPC; worker: data server)",
    commands: ["master", "worker", "local"],
  },
  port: {
    flag: "port",
    type: "int",
    arg: "P",
    min: 0,
    max: 65_535,
    default: 8081,
    doc: "port of the REST API and RPC (0: any free port)",
    commands: ["master", "local"],
  },
  pidFile: {
    flag: "pid-file",
    type: "string",
    arg: "FILE",
    defaultText: "none",
    doc: "write the process id to FILE once serving (removed at a clean exit): kill $(cat FILE)",
    commands: ["master", "worker", "local"],
  },
  blobDir: {
    flag: "blob-dir",
    type: "string",
    arg: "DIR",
    defaultText: "a temp dir",
    doc: "where uploaded job bundles are kept: a directory or s3://bucket/prefix",
    commands: ["master"],
  },
  haMode: {
    flag: "ha",
    type: "enum",
    values: HA_MODES,
    arg: "MODE",
    default: "none",
    doc: "high availability: none (one master) or etcd (masters elect a leader, others stand by)",
    commands: ["master"],
  },
  etcdEndpoints: {
    flag: "etcd",
    type: "string",
    arg: "URLS",
    defaultText: "none",
    doc: "with --ha etcd: the etcd client URLs, comma-separated (http://host:2379)",
    commands: ["master"],
  },
  clusterId: {
    flag: "cluster-id",
    type: "string",
    arg: "ID",
    default: "default",
    doc: "with --ha etcd: the cluster whose leader election this master joins",
    commands: ["master"],
  },
  haSessionTtlMs: {
    flag: "ha-session-ttl-ms",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1000,
    max: 600_000,
    default: 3000,
    doc: "with --ha etcd: the leader lease TTL (whole seconds); a dead leader is replaced after it",
    commands: ["master"],
  },
  haStorageDir: {
    flag: "ha-storage-dir",
    type: "string",
    arg: "DIR",
    defaultText: "none",
    doc: "with --ha etcd (needed): storage every master reaches, a directory or " +
      "s3://bucket/prefix; job bundles go to DIR/blobs",
    commands: ["master"],
  },
  heartbeatIntervalMs: {
    flag: "heartbeat-interval",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: MAX_TIMER_MS,
    default: 1000,
    doc: "heartbeat period to each worker",
    commands: ["master"],
  },
  heartbeatTimeoutMs: {
    flag: "heartbeat-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: MAX_TIMER_MS,
    default: 10_000,
    doc: "a silent worker is lost after this",
    commands: ["master"],
  },
  workerSlots: {
    flag: "slots",
    type: "int",
    arg: "N",
    min: 1,
    default: 1,
    doc: "slots of this worker",
    commands: ["worker"],
  },
  managedMemoryMb: {
    flag: "memory-mb",
    type: "int",
    unit: "MiB",
    arg: "M",
    min: 1,
    default: 512,
    doc: "managed memory of a worker, split equally between its slots",
    commands: ["worker", "local"],
  },
  workerName: {
    flag: "name",
    type: "string",
    arg: "NAME",
    defaultText: "worker-<id>",
    doc: "the worker's name in the master's lists",
    commands: ["worker"],
  },
  advertisedHost: {
    flag: "advertise",
    type: "string",
    arg: "A",
    defaultText: "the bind address (this host's name for a wildcard bind)",
    doc: "address other workers use to reach this one's data port",
    commands: ["worker"],
  },
  dataPort: {
    flag: "data-port",
    type: "int",
    arg: "P",
    min: 0,
    max: 65_535,
    default: 0,
    defaultText: "any free port",
    doc: "port of the data server",
    commands: ["worker"],
  },
  workDir: {
    flag: "work-dir",
    type: "string",
    arg: "DIR",
    defaultText: "a temp dir",
    doc: "where the worker keeps job modules and spilled state",
    commands: ["worker"],
  },
  localWorkers: {
    flag: "workers",
    type: "int",
    arg: "N",
    min: 1,
    default: 1,
    doc: "workers in the process",
    commands: ["local"],
  },
  localSlotsPerWorker: {
    flag: "slots",
    type: "int",
    arg: "N",
    min: 1,
    default: 2,
    doc: "slots of each worker",
    commands: ["local"],
  },

  // Object store of s3:// locations (checkpoints, savepoints): each process takes its own, and
  // what it is not given comes from the AWS environment variables (core/fs/s3_settings.ts).
  s3Endpoint: {
    flag: "s3-endpoint",
    type: "string",
    arg: "URL",
    defaultText: "$AWS_ENDPOINT_URL_S3, else $AWS_ENDPOINT_URL, else AWS",
    doc: "URL of the S3-compatible store that s3:// locations name (run: with the local cluster)",
    commands: STORAGE,
  },
  s3Region: {
    flag: "s3-region",
    type: "string",
    arg: "R",
    defaultText: "$AWS_REGION, else us-east-1",
    doc: "region of the S3 store",
    commands: STORAGE,
  },
  s3AccessKey: {
    flag: "s3-access-key",
    type: "string",
    arg: "ID",
    defaultText: "$AWS_ACCESS_KEY_ID",
    doc: "access key id for s3:// locations (with --s3-secret-key)",
    commands: STORAGE,
  },
  s3SecretKey: {
    flag: "s3-secret-key",
    type: "string",
    arg: "KEY",
    defaultText: "$AWS_SECRET_ACCESS_KEY",
    doc: "secret access key (a flag shows in the process list: prefer the variable)",
    commands: STORAGE,
  },

  // Jobs of a cluster: cancel, savepoint.
  withSavepoint: {
    flag: "with-savepoint",
    type: "boolean",
    default: false,
    doc: "take a savepoint first and print its directory",
    commands: ["cancel"],
  },
  savepointDir: {
    flag: "dir",
    type: "string",
    arg: "D",
    default: ".spate/savepoints",
    defaultText: "./.spate/savepoints of the master",
    doc: "each savepoint goes to D/savepoint-<job>-<random>, D a path or s3:// URI (cancel: " +
      "with --with-savepoint)",
    commands: ["cancel", "savepoint"],
  },

  // Settings no flag exposes yet.
  maxFrameBytes: {
    type: "int",
    unit: "bytes",
    min: 1024,
    max: 2 ** 31 - 1,
    default: 4 * MIB,
    doc: "largest RPC or data frame; a bigger one closes its stream",
    commands: [],
  },
  maxBlobBytes: {
    type: "int",
    unit: "bytes",
    min: 1,
    max: 2 ** 31 - 1,
    default: 64 * MIB,
    doc: "largest job bundle the master stores",
    commands: [],
  },
} as const satisfies Record<string, OptionSpec>;

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
