/**
 * Failure runs: a job submitted by the CLI while worker processes of the job
 * are killed (-9) and replaced, each kill after a checkpoint completed in the
 * current attempt. @module
 */

import assert from "node:assert/strict";
import { type CliResult, runCli } from "./cli.ts";
import { type TestCluster, waitFor } from "./cluster.ts";

/** The first job's details from the master's REST API, or undefined before there is one. */
export async function jobDetails(url: string) {
  const jobs = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs;
  if (jobs.length === 0) return undefined;
  return await (await fetch(`${url}/api/v1/jobs/${jobs[0].id}`)).json();
}

/**
 * Runs `spate <args>` against `cluster` and kills a worker of the job
 * `kills` times, adding a worker of `slots` slots after each; returns the
 * run's result once the job ended successfully after at least `kills` restarts.
 */
export async function runWithKills(
  cluster: TestCluster,
  args: string[],
  kills = 3,
  slots = 2,
): Promise<CliResult> {
  const job = runCli(args);
  for (let kill = 0; kill < kills; kill++) await killJobWorker(cluster, kill + 1, slots);
  const res = await job;
  assert.equal(res.code, 0, `${res.stderr}\n${cluster.logs()}`);
  const restarts = (res.stderr.match(/RESTARTING/g) ?? []).length;
  assert.equal(restarts >= kills, true, res.stderr);
  return res;
}

/**
 * Once the running job has `completed` completed checkpoints and every
 * subtask runs, kills (-9) a random worker of the job and adds a worker of
 * `slots` slots.
 */
export async function killJobWorker(
  cluster: TestCluster,
  completed: number,
  slots = 2,
): Promise<void> {
  let victim = "";
  await waitFor(`${completed} completed checkpoint(s) before a kill`, async () => {
    const d = await jobDetails(cluster.url);
    if (d === undefined || d.state !== "RUNNING") return false;
    const done = d.checkpoints.filter((c: { status: string }) => c.status === "COMPLETED");
    const workers = d.vertices.flatMap((v: { subtasks: { worker?: string }[] }) =>
      v.subtasks.map((s) => s.worker)
    ).filter((w: string | undefined) => w);
    if (done.length < completed || workers.length === 0) return false;
    victim = workers[Math.floor(Math.random() * workers.length)];
    return d.vertices.every((v: { subtasks: { state: string }[] }) =>
      v.subtasks.every((s) => s.state === "RUNNING")
    );
  }, 60_000);
  const w = cluster.workers.find((p) => p.stderr().includes(victim));
  assert.ok(w, `no worker process for ${victim}`);
  const registered = await cluster.taskManagers();
  w.kill("SIGKILL");
  cluster.workers.splice(cluster.workers.indexOf(w), 1);
  await w.child.status;
  cluster.addWorker(slots);
  // The next step (a kill, or the next job) starts on a settled cluster: the
  // victim is gone from the master and its replacement registered.
  await waitFor(`the master to drop worker ${victim} and register its replacement`, async () => {
    const res = await fetch(`${cluster.url}/api/v1/taskmanagers`);
    const ids = (await res.json()).taskmanagers.map((t: { id: string }) => t.id);
    return ids.length === registered && !ids.includes(victim);
  }, 30_000);
}
