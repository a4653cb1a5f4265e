/**
 * Plans a job bundle on the master (after Flink's web submission, which runs
 * a jar's main() on the JobManager): the bundle is imported in plan mode and
 * the plan it builds is returned. Plans run one at a time, since the job
 * context is global; each import gets its own file (a module runs once per
 * URL), removed once the plan is built.
 * @module
 */

import { pathToFileURL } from "node:url";
import { type JobContext, setJobContext } from "../../core/datastream/execution_context.ts";
import type { EnvironmentDefaults, JobPlan } from "../../core/graph/job_plan.ts";
import type { JobPermissions } from "../../core/config/job_permissions.ts";
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

let dir: string | undefined;
let plans = 0;
let queue: Promise<unknown> = Promise.resolve();

/** The plan the bundle builds; a bundle that fails or never calls execute() is the caller's error. */
export function planBundle(req: BundlePlanRequest): Promise<JobPlan> {
  const next = queue.then(() => planOne(req));
  queue = next.catch(() => {});
  return next;
}

async function planOne(req: BundlePlanRequest): Promise<JobPlan> {
  dir ??= await Deno.makeTempDir({ prefix: "spate-plans-" });
  const path = `${dir}/job-${plans++}.js`;
  await Deno.writeFile(path, req.bytes);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await new Promise<JobPlan>((resolve, reject) => {
      const ctx: JobContext = {
        mode: "plan",
        args: req.args,
        jobModuleUrl: pathToFileURL(path).href,
        defaults: req.defaults,
        permissions: req.permissions,
        onPlan: resolve,
      };
      setJobContext(ctx);
      timer = setTimeout(
        () =>
          reject(new InvalidRequestError(`the job bundle built no plan in ${req.timeoutMs} ms`)),
        req.timeoutMs,
      );
      // In plan mode execute() never resolves: the import settles only when the job fails.
      import(ctx.jobModuleUrl).then(
        () => reject(new InvalidRequestError("the job bundle never called env.execute()")),
        (e: Error) =>
          reject(
            new InvalidRequestError(
              `the job bundle failed while building its graph: ${e?.message}`,
              {
                cause: e,
              },
            ),
          ),
      );
    });
  } finally {
    clearTimeout(timer);
    setJobContext(undefined);
    await Deno.remove(path).catch(() => {});
  }
}
