/**
 * Loads a job module in a given context and classifies what went wrong: a
 * missing file, a module that does not compile, an exception while building
 * the graph (all exit 2), or a job that ran and failed (exit 1).
 * @module
 */

import { pathToFileURL } from "node:url";
import { type JobContext, setJobContext } from "../../core/datastream/execution_context.ts";
import { unreadCollectsMessage } from "../../core/datastream/collected_stream.ts";
import { JobExecutionError } from "../../core/graph/job_result.ts";
import type { JobPlan } from "../../core/graph/job_plan.ts";
import { resolve } from "node:path";

/** Messages of errors raised by loading a module rather than by running it. */
const LOAD_ERROR =
  /SyntaxError|Module not found|could not be parsed|Relative import path|Unable to load|Import '/;

/** The job could not be built: exit code 2. */
export class JobBuildError extends Error {
  override readonly name = "JobBuildError";
}

/** The URL of the job file, after checking that it exists. */
export function jobModuleUrl(path: string): string {
  const abs = resolve(path);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(abs);
  } catch {
    throw new JobBuildError(`job file not found: ${path}`);
  }
  if (!info.isFile) throw new JobBuildError(`job file is not a file: ${path}`);
  return pathToFileURL(abs).href;
}

/** Imports the job module with `ctx` installed; resolves when the module finishes. */
export async function importJob(ctx: JobContext, path: string): Promise<void> {
  setJobContext(ctx);
  try {
    await import(ctx.jobModuleUrl);
  } catch (e) {
    if (e instanceof JobExecutionError || ctx.executed) throw e;
    const error = e as Error;
    const what = error?.name === "SyntaxError" || LOAD_ERROR.test(String(error?.message))
      ? `cannot load job ${path}`
      : `job ${path} failed while building its graph`;
    throw new JobBuildError(`${what}: ${error.message}`, { cause: e });
  }
  if (ctx.unreadCollects !== undefined && ctx.unreadCollects.size > 0) {
    throw new JobBuildError(`job ${path}: ${unreadCollectsMessage(ctx.unreadCollects)}`);
  }
  if (!ctx.executed) {
    throw new JobBuildError(`job ${path} never called env.execute() (or executeAndCollect())`);
  }
}

/** Imports the job module in plan mode and returns the plan it builds. */
export function planJob(ctx: Omit<JobContext, "mode" | "onPlan">, path: string): Promise<JobPlan> {
  return new Promise((resolvePlan, reject) => {
    const planCtx: JobContext = { ...ctx, mode: "plan", onPlan: resolvePlan };
    // In plan mode execute() never resolves, so the import settles only on errors
    // or when the job never calls execute().
    importJob(planCtx, path).then(
      () => reject(new JobBuildError(`job ${path} never called env.execute()`)),
      reject,
    );
  });
}
