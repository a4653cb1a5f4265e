/**
 * The registry's settings of the client: how a job is submitted and
 * followed, and the cluster commands on jobs (cancel, stop, savepoint, list).
 * @module
 */

import { DAY_MS, type OptionSpec } from "./option_spec.ts";

/** How a job is submitted and followed (`spate run`), in the order help and README list them. */
export const RUN_OPTIONS = {
  quiet: {
    flag: "quiet",
    short: "q",
    type: "boolean",
    default: false,
    doc: "print no status or progress lines while the job runs (the result and errors only)",
    commands: ["run"],
  },
  progressIntervalMs: {
    flag: "progress-interval",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 100,
    max: DAY_MS,
    default: 10_000,
    doc: "when stderr is not a terminal: print a plain progress line this often (a terminal " +
      "gets a live line)",
    commands: ["run"],
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
} as const satisfies Record<string, OptionSpec>;

/** The cluster commands on jobs (cancel, stop, savepoint, list). */
export const CLUSTER_COMMAND_OPTIONS = {
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
    commands: ["cancel", "savepoint", "stop"],
  },
  disposeSavepoint: {
    flag: "dispose",
    type: "string",
    arg: "PATH",
    doc: "delete the savepoint directory PATH (it must hold a _metadata file) instead of " +
      "taking one",
    commands: ["savepoint"],
  },
  drain: {
    flag: "drain",
    type: "boolean",
    default: false,
    doc: "advance event time to the end before the savepoint: every window and timer fires " +
      "(for a job that will not be resumed)",
    commands: ["stop"],
  },
  listRunning: {
    flag: "running",
    type: "boolean",
    default: false,
    defaultText: "on",
    doc: "list the running (and restarting) jobs; neither flag: both lists",
    commands: ["list"],
  },
  listScheduled: {
    flag: "scheduled",
    type: "boolean",
    default: false,
    defaultText: "on",
    doc: "list the jobs created but not yet running; neither flag: both lists",
    commands: ["list"],
  },
  listAll: {
    flag: "all",
    type: "boolean",
    default: false,
    doc: "list every job the master remembers, ended ones too",
    commands: ["list"],
  },
  maxSavepointTriggers: {
    type: "int",
    min: 1,
    max: 1_000_000,
    default: 1000,
    doc:
      "savepoint and stop requests a master remembers for polling (the oldest completed go first)",
    commands: [],
  },
  maxExceptionHistory: {
    type: "int",
    min: 1,
    max: 10_000,
    default: 32,
    doc: "failures a job's exception history keeps (the oldest go first)",
    commands: [],
  },
  savepointPollIntervalMs: {
    type: "int",
    unit: "ms",
    min: 10,
    max: 60_000,
    default: 200,
    doc: "how often savepoint, cancel --with-savepoint and stop poll a savepoint's status",
    commands: [],
  },
} as const satisfies Record<string, OptionSpec>;
