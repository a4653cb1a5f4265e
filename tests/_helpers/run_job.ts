/** Runs a job module in this process on the embedded local cluster. @module */

import { pathToFileURL } from "node:url";
import { setJobContext } from "../../core/datastream/execution_context.ts";
import type { EnvironmentDefaults } from "../../core/graph/job_plan.ts";
import type { JobExecutionResult } from "../../core/graph/job_result.ts";
import { LocalExecutor, type LocalExecutorOptions } from "../../nodes/minicluster/mini_cluster.ts";
import { PROJECT_ROOT } from "./cli.ts";

let runs = 0;

/** Imports `tests/_jobs/<name>` as a client; returns its exports and the job result. */
export async function runJobModule<M>(
  name: string,
  args: string[],
  defaults: EnvironmentDefaults = {},
  options: LocalExecutorOptions = {},
): Promise<{ module: M; result: JobExecutionResult }> {
  let result: JobExecutionResult | undefined;
  const executor = new LocalExecutor(options);
  const url = `${pathToFileURL(`${PROJECT_ROOT}tests/_jobs/${name}`).href}?run=${runs++}`;
  setJobContext({
    mode: "client",
    args,
    jobModuleUrl: url,
    defaults,
    executor: {
      async execute(plan, onCollect) {
        const r = await executor.execute(plan, onCollect);
        result = r;
        return r;
      },
    },
  });
  try {
    const module = await import(url) as M;
    return { module, result: result! };
  } finally {
    setJobContext(undefined);
  }
}
