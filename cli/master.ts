/** `spate master`: runs a master until stopped (with `--ha etcd`: one of several, one leads). @module */

import { configureLogs } from "./log_flags.ts";
import { Logger } from "../core/log/logger.ts";
import { OPTIONS } from "../core/config/options.ts";
import { parseEtcdEndpoints } from "../nodes/master/ha/ha_options.ts";
import { type MasterOptions, startMaster } from "../nodes/master/master_process.ts";
import { launchers, removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { configureNodeTls } from "./tls_flags.ts";
import { UsageError } from "./usage.ts";
import { masterSecurityFlags } from "./auth_flags.ts";

/** The command's own lines: text without a prefix, as always. */
const COMMAND_LOG = new Logger("master", "");

/** Runs `spate master` with `args`; resolves to the exit code once stopped. */
export async function masterCommand(args: string[]): Promise<number> {
  const started = launchers();
  const { values: v } = parseFlags("master", args);
  configureLogs(v);
  configureStorage("master", v);
  const tls = configureNodeTls("master", v);
  const options: MasterOptions = {
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    blobDir: v.blobDir,
    settings: v,
    heartbeat: {
      heartbeatIntervalMs: v.heartbeatIntervalMs,
      heartbeatTimeoutMs: v.heartbeatTimeoutMs,
    },
    tls,
    security: await masterSecurityFlags(v),
    maxJobs: v.maxJobs,
    streamLimits: {
      firstFrameTimeoutMs: v.firstFrameTimeoutMs,
      maxStreamsPerPeer: v.maxStreamsPerPeer,
    },
    maxRequestBodyBytes: v.maxRequestBodyBytes,
    maxCollectRecords: v.maxCollectRecords,
    planTimeoutMs: v.planTimeoutMs,
    maxBlobBytes: v.maxBlobBytes,
    jobPermissionsMax: jobPermissionsMax("master", v.jobPermissionsMax),
  };
  const ha = (v.haMode ?? OPTIONS.haMode.default) === "etcd";
  if (!ha && v.etcdEndpoints !== undefined) {
    throw new UsageError("spate master: --etcd is for --ha etcd; add --ha etcd or drop --etcd");
  }
  if (ha && v.etcdEndpoints === undefined) {
    throw new UsageError("spate master: --ha etcd needs --etcd http://HOST:2379[,...]");
  }
  if (!ha && v.haStorageDir !== undefined) {
    throw new UsageError(
      "spate master: --ha-storage-dir is for --ha etcd; add --ha etcd or drop it",
    );
  }
  if (ha && v.haStorageDir === undefined) {
    throw new UsageError(
      "spate master: --ha etcd needs --ha-storage-dir DIR|s3://bucket/prefix, " +
        "storage that every master reaches (job bundles are kept there)",
    );
  }
  if (ha && v.blobDir !== undefined) {
    throw new UsageError(
      "spate master: with --ha etcd job bundles go to --ha-storage-dir/blobs; drop --blob-dir",
    );
  }
  let endpoints: string[] = [];
  try {
    if (ha) endpoints = parseEtcdEndpoints(v.etcdEndpoints!);
  } catch (e) {
    throw new UsageError(`spate master: ${(e as Error).message}`);
  }
  const master = ha
    // Loaded with --etcd only: the etcd client (gRPC, protobuf) is most of a master's start-up.
    ? await (await import("../nodes/master/ha_master.ts")).startHaMaster({
      ...options,
      blobDir: `${v.haStorageDir!.replace(/\/+$/, "")}/blobs`,
      ha: {
        endpoints,
        clusterId: v.clusterId ?? OPTIONS.clusterId.default,
        sessionTtlMs: v.haSessionTtlMs ?? OPTIONS.haSessionTtlMs.default,
      },
    })
    : await startMaster(options);
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  COMMAND_LOG.info(
    `spate master listening on ${master.url}` +
      (ha ? ` (HA on etcd ${endpoints.join(",")}: campaigning for leadership)` : "") +
      (options.security!.secret === undefined ? "" : ", cluster secret required") +
      (options.security!.tokens === undefined ? "" : ", bearer tokens required"),
    { url: master.url },
  );
  COMMAND_LOG.info(`${await untilStopped(started)}: stopping`);
  await master.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
