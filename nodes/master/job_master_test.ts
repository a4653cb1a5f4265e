/**
 * The JobMaster with the real Dispatcher, ResourceManager and TaskExecutors
 * and the real client in one in-memory ActorSystem: no process, but real slot
 * workers (Web Workers) run the tasks, so each test runs a small job.
 * Waits are conditions with deadlines.
 */

import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import { setJobContext } from "../../core/datastream/execution_context.ts";
import type { JobPlan } from "../../core/graph/job_plan.ts";
import { JobExecutionError, type JobExecutionResult } from "../../core/graph/job_result.ts";
import { PROJECT_ROOT } from "../../tests/_helpers/cli.ts";
import { waitFor } from "../../tests/_helpers/cluster.ts";
import { ClusterExecutor, JobCanceledError } from "../client/cluster_executor.ts";
import type { ActorRef } from "../rpc/actor.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { askDispatcher, type DispatcherMessage } from "../protocol/dispatcher.ts";
import { JobConflictError } from "../protocol/errors.ts";
import type { JobDetails } from "../protocol/rest.ts";
import { askResourceManager, type ResourceManagerMessage } from "../protocol/resource_manager.ts";
import { askTaskExecutor } from "../protocol/task_executor.ts";
import { moduleCache } from "../worker/module_cache.ts";
import { NetworkEnvironment } from "../worker/network/network_environment.ts";
import { TaskExecutor } from "../worker/task_executor.ts";
import { startMasterActors } from "./master_process.ts";

/** A master's actors and `workers` TaskExecutors of `slots` slots, wired by hand. */
class Cluster {
  readonly system = new ActorSystem("jm-test", { verbose: false });
  readonly network = new NetworkEnvironment();
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly rm: ActorRef<ResourceManagerMessage>;
  /** Every jobStatus the client heard: `STATE#attempt`, and the messages. */
  readonly statuses: string[] = [];
  readonly messages: string[] = [];

  constructor() {
    this.system.log = () => {};
    const master = startMasterActors(this.system, { heartbeatIntervalMs: 50 });
    this.dispatcher = master.dispatcher;
    this.rm = master.resourceManager;
  }

  static async start(workers: number, slots: number): Promise<Cluster> {
    const c = new Cluster();
    for (let i = 0; i < workers; i++) {
      const te = c.system.spawn(`taskexecutor-${i}`, () =>
        new TaskExecutor({
          workerId: `w${i}`,
          name: `worker-${i}`,
          slots,
          managedMemoryBytes: 64 * 1024 * 1024,
          network: c.network,
          resolveModule: moduleCache(undefined, ""),
        }));
      await askTaskExecutor(te, { type: "connect", rm: c.rm });
    }
    return c;
  }

  /** Builds the plan of `tests/_jobs/<job>` as a client would. */
  async plan(job: string, args: string[], parallelism: number): Promise<JobPlan> {
    const url = `${pathToFileURL(`${PROJECT_ROOT}tests/_jobs/${job}`).href}?jm=${plans++}`;
    let plan: JobPlan | undefined;
    setJobContext({
      mode: "client",
      args,
      jobModuleUrl: url,
      defaults: { parallelism },
      executor: {
        execute(p) {
          plan = p;
          return Promise.resolve({} as JobExecutionResult);
        },
      },
    });
    try {
      await import(url);
    } finally {
      setJobContext(undefined);
    }
    return plan!;
  }

  /** Submits through the real client; resolves or rejects when the job ends. */
  run(plan: JobPlan, restartStrategy = "none", slotTimeoutMs = 10_000) {
    return new ClusterExecutor({
      system: this.system,
      dispatcher: this.dispatcher,
      moduleSource: (p) => Promise.resolve({ kind: "url", url: p.jobModuleUrl }),
      restartStrategy,
      slotTimeoutMs,
      onStatus: (m) => {
        this.statuses.push(`${m.state}#${m.attempt}`);
        if (m.message) this.messages.push(m.message);
      },
    }).execute(plan);
  }

  /** The details of the one job submitted. */
  async details(): Promise<JobDetails> {
    const [job] = await askDispatcher(this.dispatcher, { type: "listJobs" });
    return await askDispatcher(this.dispatcher, { type: "jobDetails", jobId: job.jobId });
  }

  /** Waits until the job runs attempt `attempt` with all its subtasks running. */
  async allRunning(attempt: number): Promise<JobDetails> {
    let d: JobDetails | undefined;
    await waitFor(`attempt ${attempt} to run`, async () => {
      d = await this.details();
      return d.state === "RUNNING" && d.attempt === attempt &&
        d.vertices.every((v) => v.subtasks.every((s) => s.state === "RUNNING"));
    }, 15_000);
    return d!;
  }

  async freeSlots(): Promise<number> {
    return (await askResourceManager(this.rm, { type: "overview" })).slotsFree;
  }

  async close(): Promise<void> {
    this.network.close();
    await this.system.shutdown();
  }
}

let plans = 0;

/** Workers of the subtasks, by vertex. */
/** A plan of slow_count.ts at parallelism 2 that runs until it is cancelled or fails over. */
function endlessCountPlan(c: Cluster, dir: string) {
  return c.plan("slow_count.ts", [
    "--records",
    "100000000",
    "--work-us",
    "50",
    "--output",
    `${dir}/out`,
  ], 2);
}

function workersOf(d: JobDetails): string[] {
  return d.vertices.flatMap((v) => v.subtasks.map((s) => s.worker ?? "-"));
}

Deno.test("JobMaster: a job runs to FINISHED and gives its slots back", async () => {
  const c = await Cluster.start(1, 2);
  try {
    const dir = await Deno.makeTempDir();
    const plan = await c.plan("slow_count.ts", [
      "--records",
      "2000",
      "--keys",
      "5",
      "--work-us",
      "0",
      "--output",
      `${dir}/out`,
    ], 2);
    const result = await c.run(plan);
    assert.deepEqual(c.statuses, ["RUNNING#0", "FINISHED#0"]);
    assert.equal(result.slots, 2);
    assert.equal(result.vertices[0].recordsOut, 2000);
    const d = await c.details();
    assert.equal(d.state, "FINISHED");
    assert.ok(d.vertices.every((v) => v.subtasks.every((s) => s.state === "FINISHED")));
    assert.equal(await c.freeSlots(), 2);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await c.close();
  }
});

Deno.test("JobMaster: a FINISHED job refuses cancel and savepoints (JobConflictError), unchanged", async () => {
  const c = await Cluster.start(1, 1);
  try {
    const dir = await Deno.makeTempDir();
    const plan = await c.plan("slow_count.ts", [
      "--records",
      "100",
      "--work-us",
      "0",
      "--output",
      `${dir}/out`,
    ], 1);
    await c.run(plan);
    const { jid } = await c.details();
    const conflict = (message: string) => (e: Error) =>
      e instanceof JobConflictError && e.message === message;
    await assert.rejects(
      askDispatcher(c.dispatcher, { type: "cancelJob", jobId: jid }),
      conflict(`job ${jid} is FINISHED`),
    );
    for (const cancel of [false, true]) {
      await assert.rejects(
        askDispatcher(c.dispatcher, { type: "triggerSavepoint", jobId: jid, cancel }),
        conflict(`job ${jid} is FINISHED: only a running job takes a savepoint`),
      );
    }
    assert.equal((await c.details()).state, "FINISHED");
    assert.deepEqual(c.statuses, ["RUNNING#0", "FINISHED#0"]);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await c.close();
  }
});

Deno.test("JobMaster: a failing task restarts the job until the strategy gives up", async () => {
  const c = await Cluster.start(1, 1);
  try {
    const plan = await c.plan("runtime_error.ts", [], 1);
    const error = await c.run(plan, "fixed-delay:1:0").then(
      () => assert.fail("the job should fail"),
      (e: Error) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.equal(error.failure.operatorName, "Explode");
    assert.match(error.failure.message, /cannot handle record 77777/);
    assert.deepEqual(c.statuses, ["RUNNING#0", "RESTARTING#1", "RUNNING#1", "FAILED#1"]);
    assert.match(c.messages[0], /^restarting in 0 ms after: cannot handle record 77777/);
    const d = await c.details();
    assert.equal(d.failure?.operatorName, "Explode");
    assert.equal(await c.freeSlots(), 1);
  } finally {
    await c.close();
  }
});

Deno.test("JobMaster: a cancelled job stops and frees its slots", async () => {
  const c = await Cluster.start(1, 2);
  try {
    const dir = await Deno.makeTempDir();
    const plan = await endlessCountPlan(c, dir);
    const done = c.run(plan);
    const { jid } = await c.allRunning(0);
    await askDispatcher(c.dispatcher, { type: "cancelJob", jobId: jid });
    await assert.rejects(done, JobCanceledError);
    assert.deepEqual(c.statuses, ["RUNNING#0", "CANCELED#0"]);
    const d = await c.details();
    assert.ok(d.vertices.every((v) => v.subtasks.every((s) => s.state === "CANCELED")));
    assert.equal(await c.freeSlots(), 2);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await c.close();
  }
});

Deno.test("JobMaster: a lost worker's job restarts on the workers left", async () => {
  const c = await Cluster.start(2, 2);
  try {
    const dir = await Deno.makeTempDir();
    const plan = await endlessCountPlan(c, dir);
    const done = c.run(plan, "fixed-delay:1:0");
    const first = await c.allRunning(0);
    assert.ok(workersOf(first).every((w) => w === "w0"), "slots fill w0 first");
    c.rm.tell({ type: "workerDisconnected", workerId: "w0", reason: "test: connection reset" });
    const second = await c.allRunning(1);
    assert.ok(workersOf(second).every((w) => w === "w1"), workersOf(second).join());
    assert.match(c.messages[0], /worker w0 was lost while running tasks of this job/);
    await askDispatcher(c.dispatcher, { type: "cancelJob", jobId: second.jid });
    await assert.rejects(done, JobCanceledError);
    assert.deepEqual(c.statuses, ["RUNNING#0", "RESTARTING#1", "RUNNING#1", "CANCELED#1"]);
    await Deno.remove(dir, { recursive: true });
  } finally {
    await c.close();
  }
});

Deno.test("JobMaster: too few slots fail the job after the slot timeout", async () => {
  const c = await Cluster.start(1, 2);
  try {
    const plan = await c.plan("runtime_error.ts", [], 3);
    const error = await c.run(plan, "fixed-delay:3:0", 100).then(
      () => assert.fail("the job should fail"),
      (e: Error) => e,
    );
    assert.ok(error instanceof JobExecutionError, String(error));
    assert.match(error.message, /needs 3 slots, cluster has 2 free after waiting 100 ms/);
    assert.deepEqual(c.statuses, ["FAILED#0"]);
    assert.equal(await c.freeSlots(), 2);
  } finally {
    await c.close();
  }
});
