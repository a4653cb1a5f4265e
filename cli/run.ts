/** `spate run`: runs a job locally or on a cluster and follows it. @module */

import { configureLogs } from "./log_flags.ts";
import { resolveLocation } from "../core/fs/location.ts";
import { JobExecutionError } from "../core/graph/job_result.ts";
import type { JobExecutor } from "../core/graph/job_plan.ts";
import { JobCanceledError } from "../nodes/client/cluster_executor.ts";
import { parseJobOptions } from "./job_options.ts";
import { masterSourceFlags } from "./flags.ts";
import { tokenFlag } from "./auth_flags.ts";
import { OPTIONS } from "../core/config/options.ts";
import { importJob, jobModuleUrl } from "../nodes/client/load_job.ts";
import { modeLine, progressPrinter } from "./progress.ts";
import {
  type Followed,
  following,
  interruptedText,
  interruption,
  type RunSite,
} from "./interrupt.ts";
import { failureText, summaryText } from "./summary.ts";
import { configureStorage, hasS3Flags } from "./storage_flags.ts";
import { configureClientTls } from "./tls_flags.ts";
import { UsageError } from "./usage.ts";
import { parseRestartStrategy } from "../nodes/master/restart_strategy.ts";

/** Runs the command; returns the exit code. */
export async function runCommand(args: string[]): Promise<number> {
  const opts = parseJobOptions("run", args);
  const v = opts.values;
  const json = v.json === true;
  configureLogs(v);
  // One master, a comma list of a cluster's masters with high availability, or etcd's election.
  const master = v.clusterMasterUrl ?? v.etcdEndpoints;
  const masters = master === undefined
    ? undefined
    : masterSourceFlags(v.clusterMasterUrl, v.etcdEndpoints, v.clusterId);
  if (master === undefined && v.clusterId !== undefined) {
    throw new UsageError("--cluster-id needs --etcd");
  }
  if (master !== undefined && v.local) {
    throw new UsageError("--local and --master exclude each other");
  }
  if (master === undefined && (v.detached || v.slotTimeoutMs !== undefined)) {
    throw new UsageError("--detached and --slot-timeout need --master");
  }
  if (master !== undefined && v.localSlots !== undefined) {
    throw new UsageError(
      "--slots sizes the local cluster; a remote cluster has the slots of its workers",
    );
  }
  if (master !== undefined && hasS3Flags(v)) {
    throw new UsageError(
      "--s3-* configure the local cluster; a cluster's master and workers take their own " +
        "(--s3-* flags or AWS_* variables): credentials never travel with a job",
    );
  }
  if (master === undefined) configureStorage("run", v);
  configureClientTls("run", v);
  const restartStrategy = v.restartStrategy;
  if (restartStrategy !== undefined) {
    try {
      parseRestartStrategy(restartStrategy);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const savepoint = v.fromSavepoint;
  if (savepoint === undefined && v.allowNonRestoredState) {
    throw new UsageError("--allow-non-restored-state needs --from-savepoint");
  }
  const restoreFrom = savepoint === undefined ? undefined : {
    path: resolveLocation(savepoint),
    allowNonRestoredState: v.allowNonRestoredState === true,
  };
  const followed: Followed = {};
  const quiet = json || v.quiet === true;
  const progressMs = v.progressIntervalMs ?? OPTIONS.progressIntervalMs.default;
  const listener = following(progressPrinter(quiet, progressMs), followed);
  // Only the executor of the mode loads: a run on a cluster needs no local master and workers,
  // a local run no REST client.
  const executor: JobExecutor = master !== undefined
    ? new (await import("./sdk_executor.ts")).SdkExecutor({
      ...listener,
      masters: masters!,
      restartStrategy,
      restoreFrom,
      detached: v.detached === true,
      slotTimeoutMs: v.slotTimeoutMs ?? OPTIONS.slotTimeoutMs.default,
      connectTimeoutMs: v.connectTimeoutMs,
      token: tokenFlag(v),
    })
    : new (await import("../nodes/minicluster/mini_cluster.ts")).LocalExecutor({
      ...listener,
      slots: v.localSlots,
      slotThreads: v.slotThreads,
      restartStrategy,
      restoreFrom,
    });
  const ctx = {
    mode: "client" as const,
    args: opts.jobArgs,
    jobModuleUrl: jobModuleUrl(opts.jobPath),
    defaults: opts.defaults,
    permissions: opts.permissions,
    executor: {
      async execute(...a: Parameters<JobExecutor["execute"]>) {
        followed.plan = a[0];
        if (!quiet) console.error(modeLine(a[0]));
        const result = await executor.execute(...a);
        if (v.detached) console.log(result.jobId);
        else console.error(json ? JSON.stringify(result) : summaryText(result));
        return result;
      },
    },
  };
  const interrupt = interruption();
  const site: RunSite = master === undefined
    ? { local: true, jobPath: opts.jobPath }
    : { local: false, masterFlags: masterFlagsText(v) };
  try {
    return await Promise.race([
      importJob(ctx, opts.jobPath).then(() => 0),
      interrupt.signal.then((signal) => {
        console.error(interruptedText(signal, followed, site));
        return 130;
      }),
    ]);
  } catch (e) {
    if (e instanceof JobExecutionError) {
      if (json) console.error(JSON.stringify({ state: "FAILED", failure: e.failure }));
      if (e.failure.reason === "notEnoughSlots") {
        console.error(`error: ${e.failure.message}`);
        return 2;
      }
      console.error(failureText(e.jobName, e.failure));
      return 1;
    }
    if (e instanceof JobCanceledError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    interrupt.stop();
  }
}

/** The flags that name the cluster of a run, as given (for the hint of an interrupted run). */
function masterFlagsText(
  v: { clusterMasterUrl?: string; etcdEndpoints?: string; clusterId?: string },
): string {
  if (v.etcdEndpoints === undefined) return `--master ${v.clusterMasterUrl}`;
  const id = v.clusterId === undefined ? "" : ` --cluster-id ${v.clusterId}`;
  return `--etcd ${v.etcdEndpoints}${id}`;
}
