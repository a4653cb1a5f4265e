/** `spate master`: runs a master until stopped (with `--ha etcd`: one of several, one leads). @module */

import { OPTIONS } from "../core/config/options.ts";
import { startHaMaster } from "../nodes/master/ha_master.ts";
import { parseEtcdEndpoints } from "../nodes/master/ha/ha_options.ts";
import { type MasterOptions, startMaster } from "../nodes/master/master_process.ts";
import { removePidFile, untilStopped, writePidFile } from "./daemon.ts";
import { parseFlags } from "./flags.ts";
import { jobPermissionsMax } from "./permission_flags.ts";
import { configureStorage } from "./storage_flags.ts";
import { UsageError } from "./usage.ts";
import { masterSecurityFlags } from "./auth_flags.ts";

/** Runs `spate master` with `args`; resolves to the exit code once stopped. */
export async function masterCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("master", args);
  configureStorage("master", v);
  const options: MasterOptions = {
    hostname: v.bindHost ?? OPTIONS.bindHost.default,
    port: v.port ?? OPTIONS.port.default,
    blobDir: v.blobDir,
    settings: v,
    heartbeat: {
      heartbeatIntervalMs: v.heartbeatIntervalMs,
      heartbeatTimeoutMs: v.heartbeatTimeoutMs,
    },
    security: await masterSecurityFlags(v),
    maxJobs: v.maxJobs,
    maxRequestBodyBytes: v.maxRequestBodyBytes,
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
    ? startHaMaster({
      ...options,
      blobDir: `${v.haStorageDir!.replace(/\/+$/, "")}/blobs`,
      ha: {
        endpoints,
        clusterId: v.clusterId ?? OPTIONS.clusterId.default,
        sessionTtlMs: v.haSessionTtlMs ?? OPTIONS.haSessionTtlMs.default,
      },
    })
    : startMaster(options);
  if (v.pidFile !== undefined) writePidFile(v.pidFile);
  console.error(
    `spate master listening on ${master.url}` +
      (ha ? ` (HA on etcd ${endpoints.join(",")}: campaigning for leadership)` : "") +
      (options.security!.secret === undefined ? "" : ", cluster secret required") +
      (options.security!.tokens === undefined ? "" : ", bearer tokens required"),
  );
  console.error(`${await untilStopped()}: stopping`);
  await master.shutdown();
  if (v.pidFile !== undefined) removePidFile(v.pidFile);
  return 0;
}
