/**
 * The registry's settings of the processes: how master, worker and local
 * cluster run (addresses, HA, heartbeats, slots, memory, logs, S3 credentials).
 * @module
 */

import { DEFAULT_JOB_PERMISSIONS_MAX } from "./job_permissions.ts";
import {
  DATA_PLANES,
  HA_MODES,
  LOG_FORMATS,
  LOG_LEVELS,
  MAX_TIMER_MS,
  MIB,
  type OptionSpec,
  STORAGE,
} from "./option_spec.ts";

/** The processes' settings (master, worker, local cluster), in the order help and README list them. */
export const PROCESS_OPTIONS = {
  masterUrl: {
    flag: "master",
    short: "m",
    type: "string",
    arg: "URL",
    default: "127.0.0.1:8081",
    env: "SPATE_MASTER",
    defaultText: "$SPATE_MASTER, else 127.0.0.1:8081",
    doc: "the master's URL (host:port); with --ha masters, all of them, comma-separated",
    commands: ["worker", "list", "cancel", "savepoint", "stop"],
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
    doc: "etcd client URLs, comma-separated (http://host:2379): a master with --ha etcd " +
      "campaigns there; workers and clients find the leader there (instead of --master)",
    commands: ["master", "worker", "run", "list", "cancel", "savepoint", "stop"],
  },
  clusterId: {
    flag: "cluster-id",
    type: "string",
    arg: "ID",
    default: "default",
    doc: "with --etcd: the cluster whose leader election this master joins (or whose leader " +
      "a worker or client follows)",
    commands: ["master", "worker", "run", "list", "cancel", "savepoint", "stop"],
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
  connectTimeoutMs: {
    flag: "connect-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: MAX_TIMER_MS,
    default: 5_000,
    doc: "how long a dial to a master may take before the next master is tried " +
      "(a master cut off by the network answers nothing)",
    commands: ["worker", "run"],
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
  slotThreads: {
    flag: "slot-threads",
    type: "int",
    arg: "N",
    min: 1,
    defaultText: "one per slot, at most one per CPU core",
    doc: "Web Workers (threads, V8 isolates) a worker's slots run on: with fewer than the " +
      "slots, slots of one job share them, each still with its share of managed memory",
    commands: ["worker", "local", "run"],
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
  dataPlane: {
    flag: "data-plane",
    type: "enum",
    values: DATA_PLANES,
    arg: "MODE",
    default: "direct",
    env: "SPATE_DATA_PLANE",
    defaultText: "$SPATE_DATA_PLANE, else direct",
    doc: "how buffers reach other workers: direct (slot to slot, each slot listens on a port of " +
      "its own) or relay (through this process's data server)",
    commands: ["worker"],
  },
  noInbound: {
    flag: "no-inbound",
    type: "boolean",
    default: false,
    doc: "this worker accepts no connections (behind NAT or a firewall): its peers wait for its " +
      "dials, and data between two such workers goes through a relay (a --relay worker, else " +
      "the master); needs --data-plane direct",
    commands: ["worker"],
  },
  relay: {
    flag: "relay",
    type: "boolean",
    default: false,
    doc: "relay data between workers that accept no connections (--no-inbound) on this " +
      "worker's data port, in place of the master",
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
  logFormat: {
    flag: "log-format",
    type: "enum",
    values: LOG_FORMATS,
    arg: "F",
    default: "text",
    doc: "log lines as text, or json: one object per line (time, level, component, jobId, " +
      "message, stack)",
    commands: ["master", "worker", "local", "run"],
  },
  logLevel: {
    flag: "log-level",
    type: "enum",
    values: LOG_LEVELS,
    arg: "L",
    default: "info",
    doc: "lowest level of the lines logged: debug, info, warn or error (run: of its embedded " +
      "cluster, whose state changes are at debug)",
    commands: ["master", "worker", "local", "run"],
  },
  jobPermissionsMax: {
    flag: "job-permissions-max",
    type: "string",
    arg: "POLICY",
    default: DEFAULT_JOB_PERMISSIONS_MAX,
    doc: "the most a job may ask for: kind=entries parts joined by ; (read, write, net, env, " +
      "run, ffi, sys; * for all; none): more is refused (master) or fails the task (worker)",
    commands: ["master", "worker", "local"],
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
} as const satisfies Record<string, OptionSpec>;

/**
 * Object store of s3:// locations (checkpoints, savepoints): each process
 * takes its own, and what it is not given comes from the AWS environment
 * variables (core/fs/s3_settings.ts).
 */
export const S3_OPTIONS = {
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
} as const satisfies Record<string, OptionSpec>;

/** Settings no flag exposes yet. */
export const INTERNAL_OPTIONS = {
  maxFrameBytes: {
    type: "int",
    unit: "bytes",
    min: 1024,
    max: 2 ** 31 - 1,
    default: 4 * MIB,
    doc: "largest RPC or data frame; a bigger one closes its stream",
    commands: [],
  },
} as const satisfies Record<string, OptionSpec>;
