/**
 * Imports a job module in task mode and returns the plan it builds. The module
 * is imported once per job per slot; every task of that job in the slot shares
 * the plan. The plan's fingerprint must equal the client's.
 * @module
 */

import { setJobContext } from "../../core/datastream/execution_context.ts";
import { type JobPlan } from "../../core/graph/job_plan.ts";
import type { JobArtifact } from "./slot_protocol.ts";

const plans = new Map<string, Promise<JobPlan>>();

/** The plan of `job`, importing its module on first use (once per attempt). */
export function loadJobPlan(job: JobArtifact): Promise<JobPlan> {
  let plan = plans.get(job.attemptId);
  if (plan === undefined) {
    plan = importPlan(job);
    plans.set(job.attemptId, plan);
  }
  return plan;
}

function importPlan(job: JobArtifact): Promise<JobPlan> {
  return new Promise<JobPlan>((resolve, reject) => {
    let delivered = false;
    setJobContext({
      mode: "task",
      args: job.args,
      jobModuleUrl: job.jobModuleUrl,
      defaults: job.defaults,
      onPlan: (plan) => {
        if (delivered) return; // one job per module: later execute() calls are ignored here
        delivered = true;
        if (plan.fingerprint !== job.fingerprint) {
          reject(
            new Error(
              `the job module built a different graph in the slot (fingerprint ` +
                `${plan.fingerprint}, client had ${job.fingerprint}): job code must build the ` +
                `same graph on every import, without randomness, clocks or per-process state; ` +
                `a job bundled for a cluster cannot find files next to its source through ` +
                `import.meta.url (pass paths as job arguments)`,
            ),
          );
        } else {
          resolve(plan);
        }
      },
    });
    // A query string gives each attempt its own module instance.
    const separator = job.jobModuleUrl.includes("?") ? "&" : "?";
    const url = `${job.jobModuleUrl}${separator}job=${job.attemptId}`;
    import(url).then(
      () => {
        if (!delivered) reject(new Error(`job module ${job.jobModuleUrl} never called execute()`));
      },
      (e) =>
        reject(
          new Error(`cannot import job module in slot: ${(e as Error).message}`, { cause: e }),
        ),
    );
  });
}
