/**
 * What the high-availability tests share: `spate master --ha etcd` arguments,
 * REST reads of a master, a poll that tells when a condition began to hold,
 * whether a job runs at a master, and the checkpointed keyed-count run they
 * follow across masters.
 *
 * @example
 * ```ts ignore
 * import { haMasterArgs, jobRunning, when } from "./ha_cluster.ts";
 * const args = haMasterArgs({ port: 8081, etcd: "http://127.0.0.1:2379", clusterId: "c", ttlMs: 3000, storage: "/tmp/ha" });
 * const at = await when("the job runs", () => jobRunning("http://127.0.0.1:8081", jobId), 30_000);
 * ```
 * @module
 */

import { type CliResult, PROJECT_ROOT, runCli } from "./cli.ts";
import { type KeyedCountJob, keyedCountRun } from "./keyed_count.ts";

/** How an HA master of a test is started. */
export interface HaMasterFlags {
  readonly port: number;
  /** The address it binds to and is known by (default 127.0.0.1). */
  readonly host?: string;
  readonly etcd: string;
  readonly clusterId: string;
  readonly ttlMs: number;
  /** --ha-storage-dir: a directory or s3://... */
  readonly storage: string;
  /** More flags (S3 credentials, heartbeat settings). */
  readonly more?: readonly string[];
}

/** The `spate master` arguments of an HA master. */
export function haMasterArgs(f: HaMasterFlags): string[] {
  return [
    "master",
    ...(f.host === undefined ? [] : ["--host", f.host]),
    "--port",
    String(f.port),
    "--ha-storage-dir",
    f.storage,
    "--ha",
    "etcd",
    "--etcd",
    f.etcd,
    "--cluster-id",
    f.clusterId,
    "--ha-session-ttl-ms",
    String(f.ttlMs),
    ...(f.more ?? []),
  ];
}

/** How long an HA test's client run may take before it is killed. */
export const HA_RUN_DEADLINE_MS = 180_000;

/**
 * Runs the keyed-count job at parallelism 4 on the masters `masters` (comma-
 * separated: the client follows its job across them), checkpointing every
 * 500 ms to `checkpointDir`, with `extra` flags and a JSON summary; killed
 * after `deadlineMs` (a watch that never ends fails the test, not the suite).
 */
export function runHaKeyedCount(
  masters: string,
  checkpointDir: string,
  extra: string[],
  job: KeyedCountJob,
  deadlineMs = HA_RUN_DEADLINE_MS,
): Promise<CliResult> {
  return runCli(
    keyedCountRun(masters, [
      "-p",
      "4",
      "--checkpoint-interval",
      "500",
      "--checkpoint-dir",
      checkpointDir,
      ...extra,
      "--json",
    ], job),
    PROJECT_ROOT,
    AbortSignal.timeout(deadlineMs),
  );
}

/** GETs `url` as JSON; throws on a status other than 2xx or after 5 s. */
export async function getJson(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`${url}: HTTP ${res.status}`);
  }
  return await res.json();
}

/**
 * Polls `cond` every 20 ms until it holds; returns when (performance.now()).
 * A throwing `cond` counts as not yet. Fails after `timeoutMs`.
 */
export async function when(
  what: string,
  cond: () => Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return performance.now();
    } catch { /* not yet */ }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether every subtask of the job is RUNNING at the master at `url`, after `minCompleted` checkpoints. */
export async function jobRunning(url: string, jobId: string, minCompleted = 0): Promise<boolean> {
  const d = await getJson(`${url}/api/v1/jobs/${jobId}`);
  const completed = d.checkpoints.filter((c: { status: string }) => c.status === "COMPLETED");
  return d.state === "RUNNING" && completed.length >= minCompleted &&
    d.vertices.every((v: { subtasks: { state: string }[] }) =>
      v.subtasks.every((s) => s.state === "RUNNING")
    );
}

/** The HA part of the overview of the master at `url`. */
export async function haView(url: string): Promise<{
  leader: string | null;
  term: number | null;
  standbys: string[];
  isLeader: boolean;
}> {
  return (await getJson(`${url}/api/v1/overview`)).ha;
}
