/**
 * What `spate run` says when Ctrl-C (or SIGTERM) stops it: which job it
 * cancelled, and where the job's checkpoints are kept to resume from; on a
 * cluster, that the job keeps running and how to cancel it.
 * @module
 */

import { checkpointDir, jobCheckpointsDir } from "../core/checkpoint/checkpoint_storage.ts";
import type { JobPlan } from "../core/graph/job_plan.ts";
import type { JobListener } from "../nodes/client/cluster_executor.ts";
import { defaultCheckpointRoot } from "../nodes/master/job_checkpoint_options.ts";

/** What the client knows of the job it follows. */
export interface Followed {
  plan?: JobPlan;
  jobId?: string;
  /** The newest completed checkpoint (not savepoint). */
  checkpointId?: number;
}

/** `inner`, and each message also noted in `into`. */
export function following(inner: JobListener, into: Followed): JobListener {
  return {
    ...inner,
    onStatus(m) {
      into.jobId = m.jobId;
      inner.onStatus?.(m);
    },
    onCheckpoint(m) {
      if (m.kind === "checkpoint") into.checkpointId = m.checkpointId;
      inner.onCheckpoint?.(m);
    },
  };
}

/** Where the run was: the embedded cluster, or the cluster of a master. */
export type RunSite = { readonly local: true; readonly jobPath: string } | {
  readonly local: false;
  /** How the run named its cluster: `--master URLS` or `--etcd URLS --cluster-id ID`. */
  readonly masterFlags: string;
};

/** The lines `spate run` prints when `signal` stops it. */
export function interruptedText(signal: string, f: Followed, site: RunSite): string {
  if (f.plan === undefined || f.jobId === undefined) {
    return `interrupted (${signal}) before the job started`;
  }
  const job = `job '${f.plan.jobName}' (${f.jobId})`;
  if (!site.local) {
    return `interrupted (${signal}): stopped following ${job}, which keeps running on the ` +
      `cluster; cancel it with: spate cancel ${f.jobId} ${site.masterFlags}`;
  }
  const lines = [`interrupted (${signal}): cancelled ${job} and stopped the local cluster`];
  const settings = f.plan.streamGraph.settings;
  if (settings.checkpointIntervalMs > 0) {
    const root = settings.checkpointDir ?? defaultCheckpointRoot();
    if (f.checkpointId === undefined) {
      lines.push("no checkpoint had completed, so none is kept");
    } else {
      const newest = checkpointDir(root, f.jobId, f.checkpointId);
      lines.push(
        `its checkpoints are kept in ${jobCheckpointsDir(root, f.jobId)}; resume from the newest:`,
        `  spate run ${site.jobPath} --from-savepoint ${newest} (and the same flags and job arguments)`,
      );
    }
  }
  return lines.join("\n");
}

/** Resolves with the name of the first SIGINT or SIGTERM; `stop()` stops listening. */
export function interruption(): { signal: Promise<string>; stop(): void } {
  const listeners: [Deno.Signal, () => void][] = [];
  const signal = new Promise<string>((resolve) => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const listener = () => resolve(sig);
      Deno.addSignalListener(sig, listener);
      listeners.push([sig, listener]);
    }
  });
  return {
    signal,
    stop: () => listeners.forEach(([sig, l]) => Deno.removeSignalListener(sig, l)),
  };
}
