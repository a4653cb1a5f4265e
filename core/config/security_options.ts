/**
 * The registry's settings of TLS (every listener, and every client's
 * verification of its server), of `spate certs`, and of authentication and
 * the limits that keep a listener up against abuse (README: Security).
 * @module
 */

import { DAY_MS, MIB, type OptionSpec, TLS_CLIENTS } from "./option_spec.ts";

/** TLS, certificates, authentication and abuse limits, in the order help and README list them. */
export const SECURITY_OPTIONS = {
  // TLS (nodes/rpc/tls/): every listener, and every client's verification of its server.
  tlsCert: {
    flag: "tls-cert",
    type: "string",
    arg: "FILE",
    defaultText: "none: plain HTTP",
    doc:
      "certificate chain (PEM) the master, worker or local cluster serves over TLS; also the identity " +
      "shown to a cluster with mutual TLS (with --tls-key)",
    commands: TLS_CLIENTS,
  },
  tlsKey: {
    flag: "tls-key",
    type: "string",
    arg: "FILE",
    defaultText: "none",
    doc: "private key (PEM) of --tls-cert",
    commands: TLS_CLIENTS,
  },
  tlsCa: {
    flag: "tls-ca",
    type: "string",
    arg: "FILE",
    defaultText: "the default roots",
    doc: "CA certificates (PEM) that https:// servers (and, with mutual TLS, node clients) " +
      "are verified against",
    commands: TLS_CLIENTS,
  },
  tlsClientAuth: {
    flag: "tls-client-auth",
    type: "boolean",
    default: false,
    doc: "mutual TLS: RPC and data connections need a client certificate --tls-ca signed " +
      "(REST stays open to browsers)",
    commands: ["master", "worker", "local"],
  },

  // spate certs: a CA and node certificates for tests and small clusters.
  certsOutDir: {
    flag: "out",
    type: "string",
    arg: "DIR",
    defaultText: "none (needed)",
    doc: "directory the CA and node certificates are written to (created; keys mode 0600)",
    commands: ["certs"],
  },
  certsHosts: {
    flag: "hosts",
    type: "string",
    arg: "LIST",
    defaultText: "none (needed)",
    doc: "comma-separated hosts (names or IP addresses), one certificate each; " +
      "host+alias+... adds names or addresses to that certificate",
    commands: ["certs"],
  },
  certsValidDays: {
    flag: "days",
    type: "int",
    arg: "N",
    min: 1,
    max: 3650,
    default: 365,
    doc: "days the certificates are valid",
    commands: ["certs"],
  },

  // Authentication and abuse limits (README: Security).
  clusterSecretFile: {
    flag: "cluster-secret-file",
    type: "string",
    arg: "FILE",
    defaultText: "none: nodes join unauthenticated",
    doc: "the cluster secret (16+ bytes) that masters and workers prove by HMAC challenge " +
      "before RPC or data streams; never sent",
    commands: ["master", "worker"],
  },
  authTokensFile: {
    flag: "auth-tokens",
    type: "string",
    arg: "FILE",
    defaultText: "none: REST open",
    doc: "bearer tokens of REST and clients, one 'token role' per line (viewer, operator, " +
      "admin); needs --cluster-secret-file",
    commands: ["master"],
  },
  authToken: {
    flag: "token",
    type: "string",
    arg: "T",
    env: "SPATE_TOKEN",
    defaultText: "$SPATE_TOKEN, else none",
    doc: "bearer token for a master started with --auth-tokens (a flag shows in the process " +
      "list: prefer $SPATE_TOKEN)",
    commands: ["run", "list", "cancel", "savepoint", "stop"],
  },
  authFailureLimit: {
    flag: "auth-failure-limit",
    type: "int",
    arg: "N",
    min: 1,
    default: 10,
    doc: "failed authentications a peer may make per --auth-failure-window; then 429",
    commands: ["master", "worker"],
  },
  authFailureWindowMs: {
    flag: "auth-failure-window",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 1,
    max: DAY_MS,
    default: 60_000,
    doc: "the window of --auth-failure-limit",
    commands: ["master", "worker"],
  },
  firstFrameTimeoutMs: {
    flag: "first-frame-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 10,
    max: 600_000,
    default: 10_000,
    doc: "how long an accepted RPC or data stream may take to send its first valid frame " +
      "(hello, subscribe); then it is closed with an error",
    commands: ["master", "worker"],
  },
  maxStreamsPerPeer: {
    flag: "max-streams-per-peer",
    type: "int",
    arg: "N",
    min: 1,
    max: 1_000_000,
    default: 4096,
    doc: "RPC or data streams one peer address may hold open on a master or worker at once; " +
      "one more is refused (429)",
    commands: ["master", "worker"],
  },
  maxJobs: {
    flag: "max-jobs",
    type: "int",
    arg: "N",
    min: 1,
    default: 100,
    doc: "jobs the cluster runs at once; a submission beyond is refused (429)",
    commands: ["master"],
  },
  maxRequestBodyBytes: {
    flag: "max-request-body-bytes",
    type: "int",
    unit: "bytes",
    arg: "B",
    min: 1024,
    max: 2 ** 31 - 1,
    default: 4 * MIB,
    doc: "largest REST request body (job bundle uploads: --max-upload-bytes); beyond: 413",
    commands: ["master"],
  },
  maxCollectRecords: {
    flag: "max-collect-records",
    type: "int",
    arg: "N",
    min: 0,
    max: 100_000_000,
    default: 100_000,
    doc:
      "collected records the master keeps per job it follows (for collect and replays); beyond: " +
      "not kept (the collect answer says truncated), a watch that listens still hears them",
    commands: ["master"],
  },
  planTimeoutMs: {
    flag: "plan-timeout",
    type: "int",
    unit: "ms",
    arg: "MS",
    min: 100,
    max: 600_000,
    default: 30_000,
    doc: "how long a job bundle submitted through the SDK may take to build its plan on the master",
    commands: ["master"],
  },
  maxBlobBytes: {
    flag: "max-upload-bytes",
    type: "int",
    unit: "bytes",
    arg: "B",
    min: 1,
    max: 2 ** 31 - 1,
    default: 64 * MIB,
    doc: "largest job bundle the master accepts and stores; beyond: 413",
    commands: ["master"],
  },
} as const satisfies Record<string, OptionSpec>;
