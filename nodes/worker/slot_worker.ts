/**
 * Entry point of a slot: a Web Worker that runs the tasks deployed to it and
 * reports their states to its master over postMessage.
 * @module
 */

/// <reference lib="deno.worker" />

import { StreamTask, TaskCancelledError } from "./task.ts";
import { loadJobPlan } from "./job_loader.ts";
import type { SlotCommand, SlotReport, TaskDescriptor } from "./task_descriptor.ts";

const tasks = new Map<string, StreamTask>();
/** How often running tasks report their counters. */
const METRICS_INTERVAL_MS = 1000;

setInterval(() => {
  for (const [taskId, task] of tasks) {
    report({ type: "metrics", taskId, metrics: task.currentMetrics() });
  }
}, METRICS_INTERVAL_MS);

function report(r: SlotReport): void {
  self.postMessage(r);
}

async function deploy(d: TaskDescriptor): Promise<void> {
  let task: StreamTask | undefined;
  try {
    const plan = await loadJobPlan(d.job);
    task = new StreamTask(
      d,
      plan,
      (collectId, records) => report({ type: "collect", taskId: d.taskId, collectId, records }),
    );
    tasks.set(d.taskId, task);
    report({ type: "running", taskId: d.taskId });
    const metrics = await task.run();
    report({ type: "finished", taskId: d.taskId, metrics });
  } catch (e) {
    if (e instanceof TaskCancelledError) return;
    const failure = task?.failure(e) ?? {
      operatorName: `vertex ${d.vertexId}`,
      vertexName: `vertex ${d.vertexId}`,
      subtaskIndex: d.subtaskIndex,
      message: (e as Error).message ?? String(e),
      stack: (e as Error).stack,
    };
    report({ type: "failed", taskId: d.taskId, failure });
  } finally {
    tasks.delete(d.taskId);
  }
}

self.onmessage = (e: MessageEvent<SlotCommand>) => {
  const cmd = e.data;
  if (cmd.type === "deploy") deploy(cmd.task);
  else if (cmd.type === "cancel") { for (const t of tasks.values()) t.cancel(); }
};
