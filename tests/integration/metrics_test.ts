/**
 * `GET /metrics` of a real cluster (a master and two worker processes) while
 * a windowed job runs: the exposition's names, types and labels (task series
 * on the workers only, job and slot series on the master only), and a real
 * Prometheus scraping them every second, whose PromQL rate of records out
 * is positive for every vertex that writes records.
 */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { startCluster, type TestCluster, waitFor } from "../_helpers/cluster.ts";
import { prometheusSkipReason, startPrometheus } from "../_helpers/prometheus.ts";

const prometheusSkip = prometheusSkipReason();
if (prometheusSkip !== undefined) console.log(`Prometheus step skipped: ${prometheusSkip}`);

interface Exposition {
  /** `# TYPE` of each metric family. */
  readonly types: Map<string, string>;
  /** Each sample line as name, labels and value. */
  readonly samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Reads the text exposition format (the subset prom-client writes). */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Exposition["samples"] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("# TYPE ")) {
      const [, , name, type] = line.split(" ");
      types.set(name, type);
    } else if (line !== "" && !line.startsWith("#")) {
      const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
      assert.ok(m, `not a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
  }
  return { types, samples };
}

async function scrape(url: string): Promise<Exposition> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function metricsUrls(cluster: TestCluster): Promise<string[]> {
  const { taskmanagers } = await (await fetch(`${cluster.url}/api/v1/taskmanagers`)).json();
  return taskmanagers.map((w: { metricsUrl: string }) => w.metricsUrl);
}

const TASK_METRICS = {
  spate_task_records_in_total: "counter",
  spate_task_records_out_total: "counter",
  spate_task_backpressured_seconds_total: "counter",
  spate_task_watermark_lag_seconds: "gauge",
};
const MASTER_METRICS = {
  spate_jobs: "gauge",
  spate_slots_total: "gauge",
  spate_slots_available: "gauge",
  spate_checkpoints_total: "counter",
  spate_checkpoint_duration_seconds: "gauge",
  spate_checkpoint_size_bytes: "gauge",
  spate_job_restarts_total: "counter",
};
const PROCESS_METRICS = [
  "process_resident_memory_bytes",
  "nodejs_heap_size_used_bytes",
  "nodejs_eventloop_lag_seconds",
];

Deno.test("metrics of a running cluster, scraped by Prometheus", async (t) => {
  const cluster = await startCluster(2, 2);
  let jobId = "";
  try {
    const submit = await runCli([
      "run",
      jobPath("windowed_counts.ts"),
      "--master",
      cluster.url,
      "-p",
      "2",
      "--checkpoint-interval",
      "500",
      "--detached",
      "--",
      "--rate",
      "2000",
    ]);
    assert.equal(submit.code, 0, submit.stderr);
    jobId = submit.stdout.trim();
    // Source, window and sink, in topological order.
    const details = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
    const [source, window, sink] = (details.vertices as { id: number }[]).map((v) => String(v.id));

    await t.step("workers export their tasks; the master jobs, slots, checkpoints", async () => {
      const urls = await metricsUrls(cluster);
      assert.equal(urls.length, 2);
      for (const u of urls) assert.match(u, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      // Every subtask reports within a second or so of running; wait for a checkpoint too.
      let workers: Exposition[] = [];
      let master: Exposition | undefined;
      await waitFor("every task's metrics and a completed checkpoint", async () => {
        workers = await Promise.all(urls.map(scrape));
        master = await scrape(`${cluster.url}/metrics`);
        const tasks = workers.flatMap((w) =>
          w.samples.filter((s) => s.name === "spate_task_records_in_total")
        );
        const completed = master.samples.find((s) =>
          s.name === "spate_checkpoints_total" && s.labels.status === "completed"
        );
        const lags = workers.flatMap((w) =>
          w.samples.filter((s) => s.name === "spate_task_watermark_lag_seconds")
        );
        // Three vertices of parallelism 2; the source's and the window's have watermarks.
        return tasks.length === 6 && lags.length >= 4 && (completed?.value ?? 0) > 0;
      }, 30_000);
      for (const w of workers) {
        for (const [name, type] of Object.entries(TASK_METRICS)) {
          assert.equal(w.types.get(name), type, name);
        }
        for (const name of PROCESS_METRICS) assert.ok(w.types.has(name), name);
        for (const name of Object.keys(MASTER_METRICS)) {
          assert.ok(!w.types.has(name), `${name} is the master's`);
        }
      }
      const records = workers.flatMap((w) =>
        w.samples.filter((s) => s.name === "spate_task_records_in_total")
      );
      for (const s of records) {
        assert.deepEqual(Object.keys(s.labels).sort(), [
          "job_id",
          "job_name",
          "subtask",
          "vertex",
          "vertex_id",
        ]);
        assert.equal(s.labels.job_id, jobId);
        assert.equal(s.labels.job_name, "windowed counts");
      }
      assert.deepEqual(
        [...new Set(records.map((s) => `${s.labels.vertex_id}/${s.labels.subtask}`))].sort(),
        [source, window, sink].flatMap((v) => [`${v}/0`, `${v}/1`]).sort(),
      );
      const lags = workers.flatMap((w) =>
        w.samples.filter((s) => s.name === "spate_task_watermark_lag_seconds")
      );
      for (const s of lags) assert.ok(s.value >= 0 && s.value < 60, `lag ${s.value} s`);
      // The watermark reaches the REST details too: per subtask, and per vertex its lowest. The
      // workers report to the master after Prometheus saw it (later on a loaded machine): wait.
      // deno-lint-ignore no-explicit-any
      let windowVertex: any;
      let subtaskMarks: unknown[] = [];
      await waitFor("every window subtask's watermark in the REST details", async () => {
        const rest = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
        windowVertex = rest.vertices[1];
        subtaskMarks = windowVertex.subtasks.map((s: { metrics: { watermarkMs?: number } }) =>
          s.metrics.watermarkMs
        );
        return subtaskMarks.every((w) => typeof w === "number");
      }, 30_000);
      assert.equal(windowVertex.watermarkMs, Math.min(...(subtaskMarks as number[])));

      const m = master!;
      for (const [name, type] of Object.entries(MASTER_METRICS)) {
        assert.equal(m.types.get(name), type, name);
      }
      for (const name of PROCESS_METRICS) assert.ok(m.types.has(name), name);
      for (const name of Object.keys(TASK_METRICS)) {
        assert.ok(!m.types.has(name), `${name} is the workers'`);
      }
      const value = (name: string, labels: Record<string, string> = {}) =>
        m.samples.find((s) =>
          s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
        )?.value;
      assert.equal(value("spate_slots_total"), 4);
      assert.equal(value("spate_slots_available"), 2);
      assert.equal(value("spate_jobs", { state: "RUNNING" }), 1);
      assert.equal(value("spate_jobs", { state: "FAILED" }), 0);
      assert.equal(value("spate_job_restarts_total", { job_id: jobId }), 0);
      assert.ok(value("spate_checkpoint_duration_seconds", { job_id: jobId })! >= 0);
      assert.ok(value("spate_checkpoint_size_bytes", { job_id: jobId })! > 0);
    });

    await t.step({
      name: "Prometheus scrapes master and workers: rate of records out > 0 per vertex",
      ignore: prometheusSkip !== undefined,
      fn: async () => {
        const hostOf = (u: string) => new URL(u).host;
        const prom = await startPrometheus({
          "spate-master": [hostOf(cluster.url)],
          "spate-workers": (await metricsUrls(cluster)).map(hostOf),
        });
        try {
          let rates = new Map<string, number>();
          await waitFor(
            "a positive rate of records out for the source and the window",
            async () => {
              const samples = await prom.query("rate(spate_task_records_out_total[10s])");
              rates = new Map();
              for (const s of samples) {
                const v = s.metric.vertex_id;
                rates.set(v, Math.max(rates.get(v) ?? 0, s.value));
              }
              return (rates.get(source) ?? 0) > 0 && (rates.get(window) ?? 0) > 0;
            },
            45_000,
          );
          console.log(
            `records out/s per vertex id (max over subtasks): ${JSON.stringify([...rates])}`,
          );
          // The sink writes no records; it reads them.
          assert.equal(rates.get(sink), 0);
          const sinkIn = await prom.query(
            `sum by (vertex_id) (rate(spate_task_records_in_total{job_id="${jobId}"}[10s]))`,
          );
          assert.ok(sinkIn.every((s) => s.value > 0), JSON.stringify(sinkIn));
          assert.equal(sinkIn.length, 3);
          // Every target is up, and the master's series are there too.
          const up = await prom.query("up");
          assert.equal(up.length, 3, JSON.stringify(up));
          assert.ok(up.every((s) => s.value === 1), JSON.stringify(up));
          const running = await prom.query('spate_jobs{state="RUNNING"}');
          assert.equal(running[0]?.value, 1);
        } finally {
          await prom.close();
        }
      },
    });
  } finally {
    if (jobId !== "") {
      await fetch(`${cluster.url}/api/v1/jobs/${jobId}?mode=cancel`, { method: "PATCH" })
        .then((r) => r.body?.cancel());
    }
    await cluster.stop();
  }
});
