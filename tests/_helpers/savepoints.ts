/**
 * Savepoints of the keyed-count job on a real cluster: wait until it runs,
 * cancel it with a savepoint, and read the savepoint's location from the CLI.
 * @module
 */

import assert from "node:assert/strict";
import { runCli } from "./cli.ts";
import { type TestCluster, waitFor } from "./cluster.ts";
import { keyedCountRun } from "./keyed_count.ts";

/** The id of the running job, once all its subtasks run and its source emitted `records`. */
export async function runningJob(cluster: TestCluster, records: number): Promise<string> {
  let jobId = "";
  await waitFor(`the job to emit ${records} records`, async () => {
    const jobs = (await (await fetch(`${cluster.url}/api/v1/jobs`)).json()).jobs;
    const running = jobs.find((j: { state: string }) => j.state === "RUNNING");
    if (running === undefined) return false;
    jobId = running.id;
    const d = await (await fetch(`${cluster.url}/api/v1/jobs/${jobId}`)).json();
    const all = d.vertices.every((v: { subtasks: { state: string }[] }) =>
      v.subtasks.every((s) => s.state === "RUNNING")
    );
    return all && d.vertices[0].recordsOut > records;
  }, 30_000);
  return jobId;
}

/** The savepoint directory a CLI run printed: a new `savepoint-<job>-<random>` under `dir`. */
export function savepointLocation(stdout: string, dir: string, jobId: string): string {
  const location = stdout.match(/Savepoint completed: (\S+)/)?.[1];
  assert.match(
    location ?? stdout,
    new RegExp(`^${RegExp.escape(dir)}/savepoint-${jobId.slice(0, 6)}-[0-9a-f]{8}$`),
  );
  return location!;
}

/** `spate cancel JOB --with-savepoint --dir DIR`: succeeds and returns the savepoint's directory. */
export async function cancelJobWithSavepoint(
  url: string,
  jobId: string,
  dir: string,
): Promise<string> {
  const sp = await runCli(["cancel", jobId, "--master", url, "--with-savepoint", "--dir", dir]);
  assert.equal(sp.code, 0, sp.stderr);
  return savepointLocation(sp.stdout, dir, jobId);
}

/** What a keyed-count run that was cancelled with a savepoint left. */
export interface CancelledRun {
  readonly events: number;
  readonly keys: number;
  /** Flags of the run (a checkpoint directory, say). */
  readonly flags?: string[];
}

/**
 * Runs the keyed count at parallelism 2 into `out` and cancels it with a
 * savepoint into `dir` a sixth of the way through; returns the savepoint's directory.
 * The rate leaves the job 5/6 of its events (>= 10 s at 60,000 events) to outlast a
 * `spate cancel` process start and the savepoint on a loaded machine.
 */
export async function cancelWithSavepoint(
  cluster: TestCluster,
  out: string,
  dir: string,
  run: CancelledRun,
): Promise<string> {
  const job = runCli(
    keyedCountRun(cluster.url, ["-p", "2", ...run.flags ?? []], {
      events: run.events,
      keys: run.keys,
      rate: 5_000,
      out,
    }),
  );
  const jobId = await runningJob(cluster, run.events / 6);
  const location = await cancelJobWithSavepoint(cluster.url, jobId, dir);
  const res = await job;
  assert.match(res.stderr, /CANCELED/);
  return location;
}
