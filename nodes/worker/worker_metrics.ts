/**
 * A worker's `/metrics`: the counters and watermark of each task it runs, as
 * its slots last reported them (about once a second), labelled `job_id` (not
 * `job`: Prometheus sets that to the scrape job's name), `job_name`, `vertex`
 * (its name), `vertex_id` and `subtask`; and the process metrics. Slots and
 * jobs are the master's to export.
 * @module
 */

import { Counter, Gauge, type Registry } from "prom-client";
import type { TaskMetrics } from "../../core/graph/job_result.ts";
import { metricsHandler, processRegistry } from "../protocol/metrics.ts";
import type { TaskMetricsRow, TaskMetricsTable } from "./task_metrics_table.ts";

const TASK_LABELS = ["job_id", "job_name", "vertex", "vertex_id", "subtask"] as const;
type TaskLabels = Record<(typeof TASK_LABELS)[number], string>;

/** The task counters: each metric's name, help, and how it reads a report. */
const TASK_COUNTERS: readonly [string, string, (m: TaskMetrics) => number][] = [
  ["spate_task_records_in_total", "Records the task read.", (m) => m.recordsIn],
  ["spate_task_records_out_total", "Records the task wrote to its outputs.", (m) => m.recordsOut],
  ["spate_task_bytes_in_total", "Bytes the task received from the network.", (m) => m.bytesIn],
  ["spate_task_bytes_out_total", "Bytes the task sent to its outputs.", (m) => m.bytesOut],
  [
    "spate_task_backpressured_seconds_total",
    "Time the task waited for room at its outputs.",
    (m) => m.backpressuredMs / 1000,
  ],
];

function labelsOf(row: TaskMetricsRow): TaskLabels {
  return {
    job_id: row.jobId,
    job_name: row.jobName,
    vertex: row.vertexName ?? `vertex ${row.vertexId}`,
    vertex_id: String(row.vertexId),
    subtask: String(row.subtaskIndex),
  };
}

/**
 * The registry of a worker over `table`, and the handler of its `GET /metrics`.
 * `nowMs` is the clock of the watermark lag.
 */
export function workerMetrics(
  table: TaskMetricsTable,
  nowMs: () => number = Date.now,
): { registry: Registry; handle: () => Promise<Response> } {
  const registry = processRegistry("worker");
  const counters = TASK_COUNTERS.map(([name, help, read]) => ({
    counter: new Counter({ name, help, labelNames: TASK_LABELS, registers: [registry] }),
    read,
  }));
  const lag = new Gauge({
    name: "spate_task_watermark_lag_seconds",
    help: "Wall-clock time minus the task's current watermark (tasks with a watermark).",
    labelNames: TASK_LABELS,
    registers: [registry],
  });
  const refresh = () => {
    // Ended tasks' series go: every series is set again from the table.
    for (const c of counters) c.counter.reset();
    lag.reset();
    const now = nowMs();
    for (const row of table.rows()) {
      const m = row.metrics;
      if (m === undefined) continue;
      const labels = labelsOf(row);
      for (const c of counters) c.counter.inc(labels, c.read(m));
      if (m.watermarkMs !== undefined) lag.set(labels, (now - m.watermarkMs) / 1000);
    }
  };
  return { registry, handle: metricsHandler(registry, refresh) };
}
