/**
 * Plans a job bundle on the master (after Flink's web submission, which runs
 * a jar's main() on the JobManager): the bundle is imported in plan mode in
 * a Web Worker sandboxed with the job's own permissions (and read access to
 * spate and the bundle), which posts back the plan's data and is then
 * terminated, so the bundle's code never runs with the master's permissions
 * and leaves nothing behind.
 * @module
 */

import { fileURLToPath, pathToFileURL } from "node:url";
import type { EnvironmentDefaults, JobPlan } from "../../core/graph/job_plan.ts";
import type { StreamGraph } from "../../core/graph/stream_graph.ts";
import { ALL, type JobPermissions, PERMISSION_KINDS } from "../../core/config/job_permissions.ts";
import { IMPORT_TIME_ENV } from "../../core/config/import_time_env.ts";
import { InvalidRequestError } from "../protocol/errors.ts";

/** What a bundle is planned with. */
export interface BundlePlanRequest {
  readonly bytes: Uint8Array;
  readonly args: readonly string[];
  readonly defaults: EnvironmentDefaults;
  readonly permissions?: JobPermissions;
  /** A bundle that builds no plan within this long is refused. */
  readonly timeoutMs: number;
}

/** What a submission needs of a plan (what the plan worker posts back). */
export type PlannedJob =
  & Pick<JobPlan, "jobName" | "jobGraph" | "fingerprint" | "args" | "defaults" | "permissions">
  & { readonly settings: StreamGraph["settings"] };

/** The plan worker's request and answer. */
export interface PlanRequest {
  readonly moduleUrl: string;
  readonly args: readonly string[];
  readonly defaults: EnvironmentDefaults;
  readonly permissions?: JobPermissions;
}
export type PlanResult = { readonly plan: PlannedJob } | { readonly error: string };

/** spate's own directory: the plan worker reads its modules (`spate` is mod.ts). */
const RUNTIME_DIR = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
const PLAN_WORKER_URL = new URL("./plan_worker.ts", import.meta.url);

let plans = 0;

function denoKind(entries: readonly string[]): string[] | boolean {
  if (entries.includes(ALL)) return true;
  return entries.length === 0 ? false : [...new Set(entries)];
}

/** The plan worker's permissions: the job's, plus reading spate and the bundle. */
function sandbox(job: JobPermissions, bundle: string): Deno.PermissionOptionsObject {
  const kinds = Object.fromEntries(PERMISSION_KINDS.map((k) => [k, denoKind(job[k] ?? [])]));
  return {
    ...kinds,
    read: denoKind([...job.read ?? [], RUNTIME_DIR, bundle]),
    env: denoKind([...job.env ?? [], ...IMPORT_TIME_ENV]),
    import: false,
  };
}

/** The plan the bundle builds; a bundle that fails or never calls execute() is the caller's error. */
export async function planBundle(req: BundlePlanRequest): Promise<PlannedJob> {
  // A directory per plan, removed with it: a master leaves nothing in the temp directory.
  const dir = await Deno.makeTempDir({ prefix: "spate-plan-" });
  const path = `${dir}/job-${plans++}.js`;
  let worker: Worker | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Deno.writeFile(path, req.bytes);
    const w = worker = new Worker(PLAN_WORKER_URL, {
      type: "module",
      name: `plan-${plans}`,
      deno: { permissions: sandbox(req.permissions ?? {}, path) },
    });
    const result = await new Promise<PlanResult>((resolve) => {
      w.onmessage = (e: MessageEvent<PlanResult>) => resolve(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        resolve({ error: `the job bundle failed while building its graph: ${e.message}` });
      };
      timer = setTimeout(
        () => resolve({ error: `the job bundle built no plan in ${req.timeoutMs} ms` }),
        req.timeoutMs,
      );
      const message: PlanRequest = {
        moduleUrl: pathToFileURL(path).href,
        args: req.args,
        defaults: req.defaults,
        permissions: req.permissions,
      };
      w.postMessage(message);
    });
    if ("error" in result) throw new InvalidRequestError(result.error);
    return result.plan;
  } finally {
    clearTimeout(timer);
    worker?.terminate();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
