/**
 * Entry point of a slot: a Web Worker that runs the tasks deployed to it and
 * reports their states to its master over postMessage.
 * @module
 */

/// <reference lib="deno.worker" />

import { StreamTask, TaskCancelledError } from "./task.ts";
import type { BarrierInfo } from "../../core/checkpoint/barrier_aligner.ts";
import { configureFileSystems } from "../../core/fs/file_system.ts";
import { JobCodeMismatchError, loadJobPlan } from "./job_loader.ts";
import { InSlotChannels } from "./network/in_slot_channel.ts";
import { slotProfiler } from "./slot_profiler.ts";
import { heapSampler } from "./heap_report.ts";
import { permissionFailure } from "./permission_failure.ts";
import type { SlotCommand, SlotReport, TaskDescriptor } from "./slot_protocol.ts";
import type { IngestHost } from "../../core/connectors/http_ingest/ingest_protocol.ts";

const tasks = new Map<string, StreamTask>();
/** Channels between two tasks of this slot, paired by id as their tasks deploy. */
const inSlotChannels = new InSlotChannels();
/** How often running tasks report their counters. */
const METRICS_INTERVAL_MS = 1000;
const profiler = slotProfiler();
const heap = heapSampler(`slot-${self.name}`);
/** Tasks deployed and not yet ended (the heap sampler runs while there are any). */
let running = 0;
/** See the `control` command: revoked once the job's module is imported. */
let revokeAfterJobImport: Deno.PermissionDescriptor[] = [];
/** The slots this Web Worker may serve (the `control` command's). */
let slots: number[] = [];

setInterval(() => {
  for (const [taskId, task] of tasks) {
    report({ type: "metrics", taskId, metrics: task.currentMetrics() });
  }
}, METRICS_INTERVAL_MS);

function report(r: SlotReport, transfer: Transferable[] = []): void {
  self.postMessage(r, transfer);
}

/** How the ingest readers of task `taskId` reach the worker's HTTP endpoint. */
function ingestHost(taskId: string): IngestHost {
  return {
    register(registration) {
      const { port1, port2 } = new MessageChannel();
      report({ type: "ingestReader", taskId, registration, port: port2 }, [port2]);
      return port1;
    },
  };
}

async function deploy(d: TaskDescriptor, slot: number): Promise<void> {
  let task: StreamTask | undefined;
  try {
    await profiler.started();
    if (running++ === 0) heap.start();
    const plan = await loadJobPlan(d.job, slot, slots);
    // The job's module is imported: its operators never get read access to the modules.
    for (const p of revokeAfterJobImport.splice(0)) Deno.permissions.revokeSync(p);
    task = new StreamTask(
      d,
      plan,
      (collectId, records) => report({ type: "collect", taskId: d.taskId, collectId, records }),
      {
        ack: (checkpointId, handle) =>
          report({ type: "checkpointAck", taskId: d.taskId, checkpointId, handle }),
        decline: (checkpointId, reason) =>
          report({ type: "checkpointDecline", taskId: d.taskId, checkpointId, reason }),
      },
      inSlotChannels,
      (r) => report({ type: "watermarkReport", taskId: d.taskId, report: r }),
      ingestHost(d.taskId),
    );
    tasks.set(d.taskId, task);
    report({ type: "running", taskId: d.taskId, vertexName: task.vertexName });
    const metrics = await task.run();
    if (tasks.size === 1) await profiler.idle();
    report({ type: "finished", taskId: d.taskId, metrics });
  } catch (e) {
    if (e instanceof TaskCancelledError) return;
    const failure = permissionFailure(
      e,
      task?.failure(e) ?? {
        operatorName: `vertex ${d.vertexId}`,
        vertexName: `vertex ${d.vertexId}`,
        subtaskIndex: d.subtaskIndex,
        message: (e as Error).message ?? String(e),
        stack: (e as Error).stack,
        ...(e instanceof JobCodeMismatchError ? { reason: "unrecoverable" as const } : {}),
      },
    );
    report({ type: "failed", taskId: d.taskId, failure });
  } finally {
    tasks.delete(d.taskId);
    if (--running === 0) heap.stop();
  }
}

function triggerCheckpoint(taskId: string, barrier: BarrierInfo): void {
  const task = tasks.get(taskId);
  if (task !== undefined) task.triggerCheckpoint(barrier);
  else {report({
      type: "checkpointDecline",
      taskId,
      checkpointId: barrier.id,
      reason: "task is not running",
    });}
}

function onCommand(e: MessageEvent<SlotCommand>): void {
  const cmd = e.data;
  if (cmd.type === "control") {
    configureFileSystems(cmd.fileSystems);
    // The slot's own modules are loaded (static imports): the job's code never gets these.
    for (const d of cmd.revoke ?? []) Deno.permissions.revokeSync(d);
    revokeAfterJobImport = cmd.revokeAfterJobImport ?? [];
    slots = cmd.slots;
    cmd.port.onmessage = onCommand;
  } else if (cmd.type === "deploy") deploy(cmd.task, cmd.slot);
  else if (cmd.type === "triggerCheckpoint") triggerCheckpoint(cmd.taskId, cmd.barrier);
  else if (cmd.type === "notifyCheckpointComplete") {
    for (const id of cmd.taskIds) tasks.get(id)?.notifyCheckpointComplete(cmd.checkpointId);
  } else if (cmd.type === "alignWatermark") {
    tasks.get(cmd.taskId)?.alignWatermark(cmd.group, cmd.maxWatermark);
  } else if (cmd.type === "cancel") { for (const t of tasks.values()) t.cancel(); }
}

self.onmessage = onCommand;
