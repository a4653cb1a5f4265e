/**
 * The Web Worker in which the master plans a job bundle, sandboxed with the
 * job's own permissions: it imports the bundle in plan mode and posts back
 * what a submission needs of the plan (its functions stay here).
 * @module
 */

/// <reference lib="deno.worker" />

import { setJobContext } from "../../core/datastream/execution_context.ts";
import type { PlanRequest, PlanResult } from "./plan_bundle.ts";

self.onmessage = (e: MessageEvent<PlanRequest>) => {
  const req = e.data;
  const reply = (r: PlanResult) => self.postMessage(r);
  setJobContext({
    mode: "plan",
    args: req.args,
    jobModuleUrl: req.moduleUrl,
    defaults: req.defaults,
    permissions: req.permissions,
    onPlan: (plan) =>
      reply({
        plan: {
          jobName: plan.jobName,
          jobGraph: plan.jobGraph,
          fingerprint: plan.fingerprint,
          args: plan.args,
          defaults: plan.defaults,
          permissions: plan.permissions,
          settings: plan.streamGraph.settings,
        },
      }),
  });
  // In plan mode execute() never resolves: the import settles only when the job fails.
  import(req.moduleUrl).then(
    () => reply({ error: "the job bundle never called env.execute()" }),
    (e: Error) => reply({ error: `the job bundle failed while building its graph: ${e?.message}` }),
  );
};
