/**
 * The master's `/metrics`: jobs by state, slots, and per job that has not
 * ended its checkpoints (totals, last duration and size) and restarts, read
 * from the Dispatcher, the ResourceManager and each running job's JobMaster
 * at every scrape; and the process metrics. Task counters are the workers'
 * to export (fresh, where the tasks run): the master does not repeat them.
 * @module
 */

import { Counter, Gauge, type Registry } from "prom-client";
import type { ActorRef } from "../rpc/actor.ts";
import { askDispatcher, type DispatcherMessage } from "../protocol/dispatcher.ts";
import { JOB_STATES } from "../protocol/job_status.ts";
import { metricsHandler, processRegistry } from "../protocol/metrics.ts";
import { askResourceManager, type ResourceManagerMessage } from "../protocol/resource_manager.ts";
import type { JobDetails } from "../protocol/rest.ts";

/** How long one scrape waits for each actor's answer. */
export const METRICS_ASK_TIMEOUT_MS = 5_000;

/** What the master's metrics read. */
export interface MasterMetricsDeps {
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
}

const JOB_LABELS = ["job_id", "job_name"] as const;

/** The master's registry and the handler of its `GET /metrics`. */
export function masterMetrics(
  deps: MasterMetricsDeps,
): { registry: Registry; handle: () => Promise<Response> } {
  const registry = processRegistry("master");
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: readonly string[] = []) =>
    new Gauge({ name, help, labelNames, registers });
  const jobs = gauge("spate_jobs", "Jobs the master knows, by state.", ["state"]);
  const taskManagers = gauge("spate_taskmanagers", "Workers registered with the master.");
  const slotsTotal = gauge("spate_slots_total", "Slots of the registered workers.");
  const slotsAvailable = gauge("spate_slots_available", "Slots no job holds.");
  const checkpoints = new Counter({
    name: "spate_checkpoints_total",
    help: "Checkpoints and savepoints of a running job that ended, by status.",
    labelNames: [...JOB_LABELS, "status"],
    registers,
  });
  const inProgress = gauge(
    "spate_checkpoints_in_progress",
    "Checkpoints of a job in progress.",
    JOB_LABELS,
  );
  const duration = gauge(
    "spate_checkpoint_duration_seconds",
    "Duration of the job's last completed checkpoint.",
    JOB_LABELS,
  );
  const size = gauge(
    "spate_checkpoint_size_bytes",
    "State size of the job's last completed checkpoint.",
    JOB_LABELS,
  );
  gauge("spate_master_leader", "1 on the master that serves (leads), 0 on a standby.").set(1);
  const restarts = new Counter({
    name: "spate_job_restarts_total",
    help: "Restarts of a running job since it was submitted.",
    labelNames: JOB_LABELS,
    registers,
  });

  const refresh = async () => {
    const [cluster, list] = await Promise.all([
      askResourceManager(deps.resourceManager, { type: "overview" }, METRICS_ASK_TIMEOUT_MS),
      askDispatcher(deps.dispatcher, { type: "listJobs" }, METRICS_ASK_TIMEOUT_MS),
    ]);
    // An ended job's state is final in the list; a running one's (RESTARTING...) is its JobMaster's.
    const running = await Promise.all(
      list.filter((j) => j.endTime < 0).map((j) =>
        askDispatcher(
          deps.dispatcher,
          { type: "jobDetails", jobId: j.jobId },
          METRICS_ASK_TIMEOUT_MS,
        )
          .catch(() => undefined)
      ),
    );
    taskManagers.set(cluster.workers.length);
    slotsTotal.set(cluster.slotsTotal);
    slotsAvailable.set(cluster.slotsFree);
    const byState = new Map<string, number>(JOB_STATES.map((s) => [s, 0]));
    for (const j of list) if (j.endTime >= 0) byState.set(j.state, byState.get(j.state)! + 1);
    for (const m of [checkpoints, inProgress, duration, size, restarts]) m.reset();
    for (const d of running) {
      // A job that ended since the list was read (no JobMaster answer) counts as the list says.
      const state = d?.state ?? "RUNNING";
      byState.set(state, byState.get(state)! + 1);
      if (d !== undefined) perJob(d);
    }
    for (const [state, n] of byState) jobs.set({ state }, n);
  };

  const perJob = (d: JobDetails) => {
    const labels = { job_id: d.jid, job_name: d.name };
    checkpoints.inc({ ...labels, status: "completed" }, d.checkpointCounts.completed);
    checkpoints.inc({ ...labels, status: "failed" }, d.checkpointCounts.failed);
    inProgress.set(labels, d.checkpointCounts.inProgress);
    restarts.inc(labels, d.attempt);
    const last = d.checkpoints.findLast((c) => c.status === "COMPLETED");
    if (last !== undefined) {
      duration.set(labels, (last.durationMs ?? 0) / 1000);
      size.set(labels, last.stateSizeBytes);
    }
  };

  return { registry, handle: metricsHandler(registry, refresh) };
}

/**
 * A standby master's `/metrics` (with `--ha etcd`): its process metrics and
 * `spate_master_leader 0`, not a redirect to the leader, whose series a
 * scrape of every master would otherwise store twice.
 */
export function standbyMetrics(): { registry: Registry; handle: () => Promise<Response> } {
  const registry = processRegistry("master");
  new Gauge({
    name: "spate_master_leader",
    help: "1 on the master that serves (leads), 0 on a standby.",
    registers: [registry],
  }).set(0);
  return { registry, handle: metricsHandler(registry, () => {}) };
}
