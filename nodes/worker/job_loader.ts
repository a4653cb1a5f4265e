/**
 * Imports a job module in task mode and returns the plan it builds. The module
 * is imported once per job attempt and slot: every task of the attempt in the
 * slot shares the plan, and its top-level variables. Slots that share a Web
 * Worker (`--slot-threads`) still get an instance each, as a Web Worker per
 * slot would: all of them are imported at the Web Worker's first deployment,
 * while it may still read the module (its read access ends before operators
 * run). The plan's fingerprint must equal the client's.
 * @module
 */

import { setJobContext } from "../../core/datastream/execution_context.ts";
import { type JobPlan } from "../../core/graph/job_plan.ts";
import type { JobArtifact } from "./slot_protocol.ts";

/** An attempt's module instances: plans by slot, and when every import has ended. */
interface Instances {
  readonly bySlot: Map<number, Promise<JobPlan>>;
  readonly imported: Promise<unknown>;
}

const attempts = new Map<string, Instances>();

/**
 * The plan of `job` for a task in `slot`, one of the `slots` this Web Worker
 * serves. The first call of an attempt imports a module instance for each of
 * `slots`, one after the other (each import sets the job context its
 * `execute()` reads). Every call resolves only once all are imported: the
 * caller then revokes the read access the imports need.
 */
export async function loadJobPlan(
  job: JobArtifact,
  slot: number,
  slots: readonly number[],
): Promise<JobPlan> {
  let instances = attempts.get(job.attemptId);
  if (instances === undefined) {
    const bySlot = new Map<number, Promise<JobPlan>>();
    let previous: Promise<unknown> = Promise.resolve();
    for (const s of slots) {
      const instance = slots.length === 1 ? "" : `&slot=${s}`;
      const plan = previous.then(() => importPlan(job, instance));
      bySlot.set(s, plan);
      previous = plan.catch(() => {});
    }
    instances = { bySlot, imported: previous };
    attempts.set(job.attemptId, instances);
  }
  await instances.imported;
  const plan = instances.bySlot.get(slot);
  if (plan === undefined) {
    throw new Error(
      `slot ${slot} is not one of the slots its Web Worker serves (${slots.join(", ")})`,
    );
  }
  return await plan;
}

/** The job's code built another graph in the slot than in the client: no restart can help. */
export class JobCodeMismatchError extends Error {
  override name = "JobCodeMismatchError";
}

function importPlan(job: JobArtifact, instance: string): Promise<JobPlan> {
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
            new JobCodeMismatchError(
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
    // A query string gives each attempt (and each slot sharing a Web Worker) its own instance.
    const separator = job.jobModuleUrl.includes("?") ? "&" : "?";
    const url = `${job.jobModuleUrl}${separator}job=${job.attemptId}${instance}`;
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
