/**
 * A job's sandbox on a worker: the permissions its submission declared
 * (checked against the worker's cap), what spate's runtime in the slot needs
 * besides (state to restore, the spill directory, data hosts to dial), what
 * the slot reads while it imports the job's module, and the spill directory.
 * @module
 */

import { fileSystemSettings } from "../../core/fs/file_system.ts";
import {
  formatPermissions,
  type JobPermissions,
  permissionExcess,
} from "../../core/config/job_permissions.ts";
import type { TaskDeployment } from "../protocol/deployment.ts";
import { heapReportDir } from "./heap_report.ts";
import type { NetworkEnvironment } from "./network/network_environment.ts";
import { directDataHosts } from "./slot_deployment.ts";
import { importReads, type RuntimeNeeds, runtimeNeeds } from "./slot_sandbox.ts";

/** A job's sandbox in this worker: its permissions, the runtime's needs, its spill directory. */
export interface JobSandbox {
  readonly permissions: JobPermissions;
  readonly needs: RuntimeNeeds;
  /** What the slot reads while importing the job's module. */
  readonly imports: readonly string[];
  readonly spillDirectory: string;
}

/** What of the worker a job's sandbox depends on. */
export interface JobSandboxContext {
  /** The worker's name, for messages. */
  readonly workerName: string;
  /** The most a job may ask for on this worker. */
  readonly jobPermissionsMax?: JobPermissions;
  /** Where spill directories go (default: `$TMPDIR/spate-spill`). */
  readonly spillDirectory?: string;
  readonly network: NetworkEnvironment;
}

/** The root of the job spill directories (each job's is `<root>/<job id>`). */
export function spillRoot(spillDirectory: string | undefined): string {
  return spillDirectory ?? `${Deno.env.get("TMPDIR") ?? "/tmp"}/spate-spill`;
}

/**
 * The sandbox `task`'s code runs in (creating its spill directory): undefined
 * for an embedded cluster's job that declared none (its slots have the
 * program's permissions); a message when the job asks for more than the
 * worker's cap.
 */
export function jobSandbox(
  task: TaskDeployment,
  moduleUrl: string,
  w: JobSandboxContext,
): JobSandbox | string | undefined {
  const job = task.job;
  const permissions = job.permissions ?? (job.module.kind === "blob" ? {} : undefined);
  if (permissions === undefined) return undefined;
  const max = w.jobPermissionsMax;
  const excess = max === undefined ? undefined : permissionExcess(permissions, max);
  if (excess !== undefined) {
    return `job '${job.jobName}' asks for ${excess.kind} access to ${excess.value}, more than ` +
      `worker ${w.workerName} allows (--job-permissions-max ${formatPermissions(max!)})`;
  }
  const spillDirectory = `${spillRoot(w.spillDirectory)}/${job.jobId}`;
  Deno.mkdirSync(spillDirectory, { recursive: true });
  const imports = importReads(moduleUrl, job.module.kind === "blob");
  const runtime = runtimeNeeds(
    task,
    spillDirectory,
    fileSystemSettings(),
    profileDirectory(),
    heapReportDir(),
  );
  const dataHosts = directDataHosts(task, w.network);
  const needs = { ...runtime, net: [...runtime.net, ...dataHosts] };
  return { permissions, needs, imports, spillDirectory };
}

/** Where slots write CPU profiles (`SPATE_SLOT_CPU_PROFILE`), read here: a sandboxed slot cannot. */
function profileDirectory(): string | undefined {
  try {
    return Deno.env.get("SPATE_SLOT_CPU_PROFILE") || undefined;
  } catch {
    return undefined;
  }
}
