/** The JobSubmission of a plan: one definition for the CLI client and the master's SDK route. @module */

import type { JobPlan } from "../../core/graph/job_plan.ts";
import type { JobModuleSource } from "./deployment.ts";
import type { JobSubmission } from "./dispatcher.ts";

/** How a submission runs beside its plan. */
export interface SubmissionOptions {
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
}

/** The submission of `plan` whose slots load `module`. */
export function planSubmission(
  plan: JobPlan,
  module: JobModuleSource,
  o: SubmissionOptions,
): JobSubmission {
  const settings = plan.streamGraph.settings;
  return {
    jobName: plan.jobName,
    jobGraph: plan.jobGraph,
    job: {
      module,
      args: plan.args,
      defaults: plan.defaults,
      fingerprint: plan.fingerprint,
      permissions: plan.permissions,
    },
    bufferTimeoutMs: settings.bufferTimeoutMs,
    restartStrategy: o.restartStrategy,
    slotTimeoutMs: o.slotTimeoutMs,
    checkpointIntervalMs: settings.checkpointIntervalMs,
    checkpointMode: settings.checkpointMode,
    checkpointDir: settings.checkpointDir,
    retainedCheckpoints: settings.retainedCheckpoints,
    batch: settings.batch,
    checkpointConfig: settings.checkpointConfig,
    network: plan.defaults.network,
    restoreFrom: o.restoreFrom,
  };
}
