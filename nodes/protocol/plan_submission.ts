/** The JobSubmission of a plan: one definition for the CLI client and the master's SDK route. @module */

import type { JobPlan } from "../../core/graph/job_plan.ts";
import type { StreamGraph } from "../../core/graph/stream_graph.ts";
import type { JobModuleSource } from "./deployment.ts";
import type { JobSubmission } from "./dispatcher.ts";

/** How a submission runs beside its plan. */
export interface SubmissionOptions {
  readonly restartStrategy?: string;
  readonly slotTimeoutMs?: number;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
}

/** What a submission takes of a plan (a JobPlan, or the data a plan worker posts back). */
export type SubmittablePlan =
  & Pick<JobPlan, "jobName" | "jobGraph" | "fingerprint" | "args" | "defaults" | "permissions">
  & { readonly streamGraph: Pick<StreamGraph, "settings"> };

/** The submission of `plan` whose slots load `module`. */
export function planSubmission(
  plan: SubmittablePlan,
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
