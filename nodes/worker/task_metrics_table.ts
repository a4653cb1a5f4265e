/**
 * The latest metrics of the tasks a worker runs, for its `/metrics`: the
 * TaskExecutor writes a row when a task is deployed and updates it with each
 * report of the task's slot (about once a second); the row goes when the task
 * ends or its job is released. Plain data, no clock of its own.
 * @module
 */

import type { TaskMetrics } from "../../core/graph/job_result.ts";

/** One running task: who it is, and its counters as last reported. */
export interface TaskMetricsRow {
  readonly jobId: string;
  readonly jobName: string;
  readonly vertexId: number;
  /** Known once the task reports RUNNING (its slot loaded the job). */
  vertexName: string | undefined;
  readonly subtaskIndex: number;
  metrics: TaskMetrics | undefined;
}

/**
 * The rows by task id.
 *
 * @example
 * ```ts
 * import { TaskMetricsTable } from "./task_metrics_table.ts";
 * const table = new TaskMetricsTable();
 * table.deployed("t1", { jobId: "j", jobName: "wc", vertexId: 1, subtaskIndex: 0 });
 * table.running("t1", "Source: words");
 * table.reported("t1", {
 *   recordsIn: 5, recordsOut: 5, bytesIn: 0, bytesOut: 40, buffersOut: 1,
 *   maxInputQueueBuffers: 0, maxOutputBacklogBuffers: 0, backpressuredMs: 0,
 * });
 * [...table.rows()][0].metrics?.recordsOut; // 5
 * ```
 */
export class TaskMetricsTable {
  private readonly byTask = new Map<string, TaskMetricsRow>();

  /** A task was deployed to a slot of this worker. */
  deployed(
    taskId: string,
    task: Pick<TaskMetricsRow, "jobId" | "jobName" | "vertexId" | "subtaskIndex">,
  ): void {
    this.byTask.set(taskId, { ...task, vertexName: undefined, metrics: undefined });
  }

  /** The task runs, in the vertex named `vertexName`. */
  running(taskId: string, vertexName: string): void {
    const row = this.byTask.get(taskId);
    if (row !== undefined) row.vertexName = vertexName;
  }

  /** The task's slot reported its counters. */
  reported(taskId: string, metrics: TaskMetrics): void {
    const row = this.byTask.get(taskId);
    if (row !== undefined) row.metrics = metrics;
  }

  /** The task ended or was released: its series end. */
  removed(taskId: string): void {
    this.byTask.delete(taskId);
  }

  /** Every row (live: read them at once). */
  rows(): IterableIterator<TaskMetricsRow> {
    return this.byTask.values();
  }
}
