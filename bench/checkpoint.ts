/**
 * `deno task bench checkpoint`: what checkpoints cost and how fast a job
 * recovers. A master and two worker processes (one slot each) run a keyed job
 * at parallelism 2 whose state grows to ~100 MB (`bench/jobs/state_job.ts`),
 * with checkpointing off, aligned and unaligned checkpoints every second (in
 * the same run), and report throughput, checkpoint durations, sizes and
 * alignment times; then a worker is killed (-9) mid-run and the time until
 * the restored job processes records again is measured.
 * @module
 */

import { parseArgs } from "node:util";
import { runCli, runSummary } from "../tests/_helpers/cli.ts";
import {
  latestJobDetails,
  startCluster,
  type TestCluster,
  waitFor,
} from "../tests/_helpers/cluster.ts";

interface Checkpoint {
  status: string;
  durationMs: number;
  stateSizeBytes: number;
  maxAlignmentDurationMs: number;
  maxSyncDurationMs: number;
  maxAsyncDurationMs: number;
  persistedInFlightBytes: number;
}

interface ModeResult {
  mode: string;
  /** Steady state (20% to 80% of the events). */
  eventsPerSecond: number;
  /** CPU time of the cluster's processes per million events in the steady state. */
  cpuMsPerMillion: number;
  /** Events over the whole job, start-up and final checkpoint included. */
  wholeJobEventsPerSecond: number;
  checkpoints: Checkpoint[];
}

const MB = 1024 * 1024;
const median = (xs: number[]) =>
  xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => xs.length === 0 ? NaN : Math.max(...xs);

function jobCommand(cluster: TestCluster, mode: string, dir: string, jobArgs: string[]) {
  const checkpointing = mode === "off"
    ? []
    : ["--checkpoint-interval", "1000", "--checkpoint-mode", mode, "--checkpoint-dir", dir];
  return [
    "run",
    "bench/jobs/state_job.ts",
    "--master",
    cluster.url,
    "--mode",
    "streaming",
    "-p",
    "2",
    "--json",
    "--restart-strategy",
    "fixed-delay:3:0",
    ...checkpointing,
    "--",
    ...jobArgs,
  ];
}

/** CPU time (user + system) the cluster's processes used so far, from /proc. */
function clusterCpuMs(cluster: TestCluster): number {
  let ticks = 0;
  for (const p of [cluster.master, ...cluster.workers]) {
    try {
      const fields = Deno.readTextFileSync(`/proc/${p.child.pid}/stat`).split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* gone, or no /proc */ }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

async function runMode(
  cluster: TestCluster,
  mode: string,
  dir: string,
  events: number,
  jobArgs: string[],
): Promise<ModeResult> {
  const job = runCli(jobCommand(cluster, mode, dir, jobArgs));
  // Steady state: the keyed vertex's input rate between 20% and 80% of the events,
  // from the metrics the REST API reports (start-up and the end of the job excluded).
  let done = false;
  job.finally(() => done = true);
  const samples: { ms: number; records: number; cpuMs: number }[] = [];
  while (!done) {
    const d = await latestJobDetails(cluster.url);
    if (d?.state === "RUNNING") {
      const cpuMs = clusterCpuMs(cluster);
      samples.push({ ms: performance.now(), records: d.vertices[1].recordsIn, cpuMs });
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const res = await job;
  if (res.code !== 0) throw new Error(`${mode} run failed: ${res.stderr}`);
  const summary = runSummary(res);
  const details = await (await fetch(`${cluster.url}/api/v1/jobs/${summary.jobId}`)).json();
  const from = samples.find((x) => x.records >= events * 0.2);
  const to = samples.findLast((x) => x.records <= events * 0.8);
  const steady = from && to && to.ms > from.ms
    ? (to.records - from.records) / ((to.ms - from.ms) / 1000)
    : NaN;
  const cpuMsPerMillion = from && to && to.records > from.records
    ? (to.cpuMs - from.cpuMs) / ((to.records - from.records) / 1e6)
    : NaN;
  return {
    mode,
    eventsPerSecond: steady,
    cpuMsPerMillion,
    wholeJobEventsPerSecond: events / (summary.durationMs / 1000),
    checkpoints: (details.checkpoints as Checkpoint[]).filter((c) => c.status === "COMPLETED"),
  };
}

/** Kills a worker of a running aligned job after its first checkpoint; ms until it processes again. */
async function recovery(cluster: TestCluster, dir: string, jobArgs: string[]): Promise<number> {
  const job = runCli(jobCommand(cluster, "exactly_once", dir, jobArgs));
  let victim = "";
  await waitFor("a completed checkpoint", async () => {
    const d = await latestJobDetails(cluster.url);
    if (d?.state === "FINISHED") throw new Error("the job ended before a checkpoint");
    if (d === undefined || d.state !== "RUNNING") return false;
    victim = d.vertices[1].subtasks[0].worker ?? "";
    return d.checkpoints.filter((c: Checkpoint) => c.status === "COMPLETED").length >= 1;
  }, 120_000);
  const w = cluster.workers.find((p) => p.stderr().includes(victim))!;
  const killedAt = performance.now();
  w.kill("SIGKILL");
  cluster.workers.splice(cluster.workers.indexOf(w), 1);
  cluster.addWorker(1);
  let attempt = 0;
  await waitFor("the restored job to process records", async () => {
    const d = await latestJobDetails(cluster.url);
    if (d === undefined) return false;
    attempt = Math.max(attempt, d.attempt);
    return d.attempt > 0 && d.state === "RUNNING" &&
      d.vertices[1].subtasks.every((s: { state: string; recordsIn?: number }) =>
        s.state === "RUNNING"
      ) && d.vertices[1].recordsIn > 0;
  }, 120_000);
  const ms = performance.now() - killedAt;
  const res = await job;
  if (res.code !== 0) throw new Error(`the recovery run failed: ${res.stderr}`);
  return ms;
}

/**
 * Options: `--events` (default 30,000,000: runs of ~20 s, so start-up is a
 * small part), `--keys` (100,000), `--value-bytes` (1000), `--modes` (the
 * first must be `off`), `--repeat` (3: the modes run in turn that many
 * times and each reports its median, since this machine's rate moves by tens
 * of percent from minute to minute), `--no-recovery`.
 */
export async function checkpointBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string", default: "30000000" },
      keys: { type: "string", default: "100000" },
      "value-bytes": { type: "string", default: "1000" },
      modes: { type: "string", default: "off,exactly_once,unaligned" },
      repeat: { type: "string", default: "3" },
      "no-recovery": { type: "boolean", default: false },
    },
  });
  const modes = values.modes.split(",");
  if (modes[0] !== "off") throw new Error("--modes: the first mode must be off (the baseline)");
  const events = Number(values.events);
  const jobArgs = [
    "--events",
    values.events,
    "--keys",
    values.keys,
    "--value-bytes",
    values["value-bytes"],
  ];
  const dir = await Deno.makeTempDir({ prefix: "spate-bench-chk-" });
  const cluster = await startCluster(2, 1);
  try {
    const runs = new Map<string, ModeResult[]>(modes.map((m) => [m, []]));
    for (let r = 0; r < Number(values.repeat); r++) {
      for (const mode of modes) {
        runs.get(mode)!.push(await runMode(cluster, mode, dir, events, jobArgs));
      }
    }
    const results: ModeResult[] = modes.map((mode) => {
      const rs = runs.get(mode)!;
      return {
        mode,
        eventsPerSecond: median(rs.map((r) => r.eventsPerSecond)),
        wholeJobEventsPerSecond: median(rs.map((r) => r.wholeJobEventsPerSecond)),
        cpuMsPerMillion: median(rs.map((r) => r.cpuMsPerMillion)),
        checkpoints: rs.flatMap((r) => r.checkpoints),
      };
    });
    for (const [mode, rs] of runs) {
      const rates = rs.map((r) => (r.eventsPerSecond / 1e6).toFixed(2)).join(", ");
      console.log(`  (${mode} runs: ${rates} M events/s)`);
    }
    const off = results[0].eventsPerSecond;
    console.log(
      `Keyed state job, parallelism 2 on two worker processes: ${events.toLocaleString()} ` +
        `updates over ${Number(values.keys).toLocaleString()} keys of ${
          values["value-bytes"]
        } bytes, checkpoints every 1 s`,
    );
    for (const r of results) {
      const c = r.checkpoints;
      const line = `  ${r.mode.padEnd(13)} ${(r.eventsPerSecond / 1e6).toFixed(2)} M events/s  ` +
        `${(r.eventsPerSecond / off * 100).toFixed(0).padStart(3)}% of off (whole job ${
          (r.wholeJobEventsPerSecond / 1e6).toFixed(2)
        } M/s, ${
          (r.wholeJobEventsPerSecond / results[0].wholeJobEventsPerSecond * 100).toFixed(0)
        }%, CPU ${r.cpuMsPerMillion.toFixed(0)} ms per M events)`;
      const stats = c.length === 0
        ? ""
        : `  ${c.length} checkpoints, duration median ${
          median(c.map((x) => x.durationMs))
        } ms / max ${max(c.map((x) => x.durationMs))} ms, size up to ${
          (max(c.map((x) => x.stateSizeBytes)) / MB).toFixed(0)
        } MB, alignment max ${
          max(c.map((x) => x.maxAlignmentDurationMs)).toFixed(0)
        } ms, sync median ${median(c.map((x) => x.maxSyncDurationMs))} ms, async median ${
          median(c.map((x) => x.maxAsyncDurationMs))
        } ms, in-flight up to ${
          (max(c.map((x) => x.persistedInFlightBytes)) / 1024).toFixed(0)
        } KiB`;
      console.log(line + stats);
    }
    if (values["no-recovery"]) return;
    const recoveryMs = await recovery(cluster, dir, jobArgs);
    console.log(
      `  recovery after kill -9 of a worker: ${
        (recoveryMs / 1000).toFixed(1)
      } s until the restored job processes records again`,
    );
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
