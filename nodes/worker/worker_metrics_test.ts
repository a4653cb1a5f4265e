import assert from "node:assert/strict";
import type { TaskMetrics } from "../../core/graph/job_result.ts";
import { TaskMetricsTable } from "./task_metrics_table.ts";
import { workerMetrics } from "./worker_metrics.ts";

const METRICS: TaskMetrics = {
  recordsIn: 10,
  recordsOut: 7,
  bytesIn: 100,
  bytesOut: 70,
  buffersOut: 1,
  maxInputQueueBuffers: 0,
  maxOutputBacklogBuffers: 0,
  backpressuredMs: 1500,
};

Deno.test("a worker exports each running task's last report, and forgets ended tasks", async () => {
  const table = new TaskMetricsTable();
  const { handle } = workerMetrics(table, () => 10_000);
  table.deployed("t0", { jobId: "j1", jobName: "wc", vertexId: 4, subtaskIndex: 1 });
  table.running("t0", 'Window "counts"');
  table.reported("t0", { ...METRICS, watermarkMs: 7_500 });
  table.deployed("t1", { jobId: "j1", jobName: "wc", vertexId: 5, subtaskIndex: 0 });
  const res = await handle();
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const labels = 'job_id="j1",job_name="wc",vertex="Window \\"counts\\"",vertex_id="4",subtask="1"';
  for (
    const line of [
      "# TYPE spate_task_records_in_total counter",
      `spate_task_records_in_total{${labels}} 10`,
      `spate_task_records_out_total{${labels}} 7`,
      `spate_task_bytes_out_total{${labels}} 70`,
      `spate_task_backpressured_seconds_total{${labels}} 1.5`,
      "# TYPE spate_task_watermark_lag_seconds gauge",
      `spate_task_watermark_lag_seconds{${labels}} 2.5`,
      'spate_info{version="',
    ]
  ) assert.ok(text.includes(line), `missing ${line} in:\n${text}`);
  // A task that has not reported yet has no series.
  assert.ok(!text.includes('vertex_id="5"'));
  table.removed("t0");
  assert.ok(!(await (await handle()).text()).includes('vertex_id="4"'));
});
