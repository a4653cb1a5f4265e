/**
 * Schemas of the control-plane messages, checked by every actor a peer can
 * reach before it acts on a message.
 * @module
 */

import type { MessageSchema } from "../rpc/message_schema.ts";

export const RESOURCE_MANAGER_SCHEMA: MessageSchema = {
  registerWorker: { worker: "object" },
  heartbeatReply: { workerId: "string", "fence?": "string" },
  workerDisconnected: { workerId: "string", reason: "string" },
  peerDisconnected: { systemId: "string", reason: "string" },
  allocateSlots: { jobId: "string", count: "int", timeoutMs: "int" },
  releaseSlots: { jobId: "string" },
  overview: {},
  tick: {},
};

/** Fields of a worker registration. */
export const WORKER_REGISTRATION_SCHEMA: MessageSchema = {
  worker: {
    workerId: "string",
    name: "string",
    slots: "int",
    managedMemoryBytes: "int",
    processId: "string",
    dataAddress: "string",
    taskExecutor: "ref",
  },
};

export const DISPATCHER_SCHEMA: MessageSchema = {
  submitJob: { submission: "object", "client?": "ref" },
  listJobs: {},
  jobDetails: { jobId: "string" },
  cancelJob: { jobId: "string" },
  triggerSavepoint: { jobId: "string", "targetDir?": "string", cancel: "boolean" },
  jobEnded: { jobId: "string", state: "string" },
  workerLost: { workerId: "string" },
};

export const JOB_MASTER_SCHEMA: MessageSchema = {
  start: {},
  restart: { attempt: "int" },
  slotsGranted: { attempt: "int", grants: "array", "restore?": "object" },
  slotsRefused: { attempt: "int", message: "string" },
  taskState: {
    taskId: "string",
    attempt: "int",
    state: "string",
    "metrics?": "object",
    "failure?": "object",
  },
  taskMetrics: { taskId: "string", attempt: "int", metrics: "object" },
  collect: { attempt: "int", collectId: "int", records: "array" },
  workerLost: { workerId: "string" },
  cancel: {},
  triggerSavepoint: { "targetDir?": "string", cancel: "boolean" },
  details: {},
  checkpointTick: {},
  acknowledgeCheckpoint: {
    taskId: "string",
    attempt: "int",
    checkpointId: "int",
    handle: "object",
  },
  declineCheckpoint: { taskId: "string", attempt: "int", checkpointId: "int", reason: "string" },
};

export const TASK_EXECUTOR_SCHEMA: MessageSchema = {
  connect: { rm: "ref" },
  heartbeat: { fence: "string" },
  submitTask: { task: "object" },
  cancelJob: { jobId: "string" },
  releaseJob: { jobId: "string" },
  masterLost: { reason: "string" },
  slotReport: { slotIndex: "int", report: "object" },
  triggerCheckpoint: { taskId: "string", barrier: "object" },
  notifyCheckpointComplete: { jobId: "string", attempt: "int", checkpointId: "int" },
};
