/** `spate run`: runs a job on the embedded local cluster and follows it. @module */

import { JobExecutionError } from "../core/datastream/execution_context.ts";
import { LocalExecutor } from "../nodes/minicluster/local_executor.ts";
import { parseJobOptions, positiveInt } from "./job_options.ts";
import { importJob, jobModuleUrl } from "./load_job.ts";
import { failureText, summaryText } from "./summary.ts";

const RUN_FLAGS = {
  local: { type: "boolean" as const },
  slots: { type: "string" as const },
  json: { type: "boolean" as const },
};

/** Runs the command; returns the exit code. */
export async function runCommand(args: string[]): Promise<number> {
  const opts = parseJobOptions("run", args, RUN_FLAGS);
  const json = opts.values.json === true;
  const slots = positiveInt("slots", opts.values.slots as string | undefined);
  const executor = new LocalExecutor({
    slots,
    onStatus: (e) => {
      if (!json) console.error(`Job '${e.jobName}' (${e.jobId}) ${e.state}`);
    },
  });
  const ctx = {
    mode: "client" as const,
    args: opts.jobArgs,
    jobModuleUrl: jobModuleUrl(opts.jobPath),
    defaults: opts.defaults,
    executor: {
      async execute(...a: Parameters<LocalExecutor["execute"]>) {
        const result = await executor.execute(...a);
        console.error(json ? JSON.stringify(result) : summaryText(result));
        return result;
      },
    },
  };
  try {
    await importJob(ctx, opts.jobPath);
    return 0;
  } catch (e) {
    if (e instanceof JobExecutionError) {
      if (json) console.error(JSON.stringify({ state: "FAILED", failure: e.failure }));
      console.error(failureText(e.jobName, e.failure));
      return 1;
    }
    throw e;
  }
}
