/**
 * What the JobMaster tells the client that submitted a job: state changes,
 * progress, completed checkpoints, collected records and the end.
 * @module
 */

import type { CheckpointKind } from "../../core/checkpoint/checkpoint_stats.ts";
import type { JobExecutionResult, TaskFailure } from "../../core/graph/job_result.ts";
import { defineSchema } from "../rpc/message_schema.ts";
import type { JobState } from "./job_status.ts";

/** Records in and out of one vertex so far. */
export interface VertexProgress {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
  /** The most time one of its subtasks waited for room at its outputs. */
  readonly backpressuredMs?: number;
}

/** Messages of a job's client (told, never asked). */
export type ClientMessage =
  | {
    type: "jobStatus";
    jobId: string;
    jobName: string;
    state: JobState;
    attempt: number;
    message?: string;
  }
  | { type: "progress"; jobId: string; vertices: VertexProgress[] }
  | { type: "collect"; collectId: number; records: unknown[] }
  | {
    type: "checkpointCompleted";
    jobId: string;
    checkpointId: number;
    kind: CheckpointKind;
    durationMs: number;
    stateSizeBytes: number;
    location?: string;
  }
  | { type: "jobFinished"; result: JobExecutionResult }
  | { type: "jobFailed"; jobName: string; failure: TaskFailure };

/** The schema every ClientMessage is checked against. */
export const CLIENT_SCHEMA = defineSchema<ClientMessage>()({
  jobStatus: {
    jobId: "string",
    jobName: "string",
    state: "string",
    attempt: "int",
    "message?": "string",
  },
  progress: { jobId: "string", vertices: "array" },
  collect: { collectId: "int", records: "array" },
  checkpointCompleted: {
    jobId: "string",
    checkpointId: "int",
    kind: "string",
    durationMs: "number",
    stateSizeBytes: "number",
    "location?": "string",
  },
  jobFinished: { result: "object" },
  jobFailed: { jobName: "string", failure: "object" },
});
