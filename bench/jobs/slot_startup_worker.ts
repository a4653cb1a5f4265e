/**
 * A Web Worker that does what a slot does before its first record: imports a
 * job module in task mode and waits for the plan. Posts the milliseconds it
 * took.
 * @module
 */

/// <reference lib="deno.worker" />

import { setJobContext } from "../../core/datastream/execution_context.ts";

self.onmessage = async (e: MessageEvent<{ jobModuleUrl: string; args: string[] }>) => {
  const start = performance.now();
  const planned = new Promise<void>((resolve) => {
    setJobContext({
      mode: "task",
      args: e.data.args,
      jobModuleUrl: e.data.jobModuleUrl,
      defaults: {},
      onPlan: () => resolve(),
    });
  });
  // In task mode execute() never resolves: the plan, not the import, is the end.
  import(e.data.jobModuleUrl).catch((err) => self.reportError(err));
  await planned;
  self.postMessage({ ms: performance.now() - start });
};
