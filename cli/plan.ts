/** `spate plan`: prints a job's JobGraph without running it. @module */

import { planToJson, planToText } from "../core/graph/plan_format.ts";
import { parseJobOptions } from "./job_options.ts";
import { jobModuleUrl, planJob } from "../nodes/client/load_job.ts";

/** Runs the command; returns the exit code. */
export async function planCommand(args: string[]): Promise<number> {
  const opts = parseJobOptions("plan", args);
  const plan = await planJob({
    args: opts.jobArgs,
    jobModuleUrl: jobModuleUrl(opts.jobPath),
    defaults: opts.defaults,
  }, opts.jobPath);
  const { streamGraph, jobGraph, fingerprint } = plan;
  console.log(
    opts.values.json
      ? JSON.stringify(planToJson(streamGraph, jobGraph, fingerprint), null, 2)
      : planToText(streamGraph, jobGraph, fingerprint),
  );
  return 0;
}
