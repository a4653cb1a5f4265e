import assert from "node:assert/strict";
import { checkpointOptionsOf } from "./job_checkpoint_options.ts";
import { JobCheckpoints } from "./job_checkpoints.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";
import type { JobMasterMessage } from "../protocol/job_master.ts";
import type { TaskExecutorMessage } from "../protocol/task_executor.ts";
import type { ActorRef } from "../rpc/actor.ts";

Deno.test("default checkpoint and savepoint roots follow the working directory at job start", () => {
  // The CLI moves to the caller's directory (INIT_CWD) after this module loaded.
  const before = Deno.cwd();
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    Deno.chdir(dir);
    const options = checkpointOptionsOf("j1", {} as JobSubmission);
    assert.equal(options.root, `${dir}/.spate/checkpoints`);
    assert.equal(options.savepointRoot, `${dir}/.spate/savepoints`);
    const named = checkpointOptionsOf("j1", { checkpointDir: "/data/chk" } as JobSubmission);
    assert.equal(named.root, "/data/chk");
  } finally {
    Deno.chdir(before);
    Deno.removeSync(dir, { recursive: true });
  }
});

/** The acknowledgement of a task without state. */
const NO_STATE = {
  operators: [],
  alignmentDurationMs: 0,
  syncDurationMs: 0,
  asyncDurationMs: 0,
  inFlightBytes: 0,
};

/** An ActorRef that hands each message told to `onTell`. */
function fakeRef<M>(onTell: (m: M) => void = () => {}): ActorRef<M> {
  return {
    path: "/test",
    systemId: "test",
    tell: onTell,
    ask: () => Promise.reject(new Error("not asked in this test")),
  };
}

/** JobCheckpoints of one source task whose executor `onTell` hears; `options` override. */
function oneTaskJob(
  root: string,
  onTell: (m: TaskExecutorMessage) => void,
  options: Partial<ConstructorParameters<typeof JobCheckpoints>[0]> = {},
) {
  const failures: string[] = [];
  const checkpoints = new JobCheckpoints(
    {
      jobId: "j1",
      intervalMs: 0,
      root,
      retained: 3,
      savepointRoot: `${root}/savepoints`,
      attempt: () => 1,
      ...options,
    },
    fakeRef<JobMasterMessage>(),
    (reason) => failures.push(reason),
  );
  checkpoints.deployed([{
    taskId: "t1",
    vertexId: 1,
    subtaskIndex: 0,
    source: true,
    executor: fakeRef(onTell),
  }]);
  return { checkpoints, failures };
}

Deno.test("a savepoint's tasks are told once its _metadata is stored, and its request answered after", async () => {
  const root = await Deno.makeTempDir({ prefix: "spate-jc-" });
  const events: string[] = [];
  let triggered = -1;
  const { checkpoints } = oneTaskJob(root, (m) => {
    if (m.type === "triggerCheckpoint") triggered = m.barrier.id;
    if (m.type === "notifyCheckpointComplete") {
      const [savepoint] = Array.from(Deno.readDirSync(`${root}/savepoints`), (e) => e.name);
      const stored = Deno.statSync(`${root}/savepoints/${savepoint}/_metadata`).isFile;
      events.push(`told ${m.checkpointId} (savepoint stored: ${stored})`);
    }
  });
  try {
    const answer = checkpoints.triggerSavepoint().then((dir) => {
      events.push("answered");
      return dir;
    });
    checkpoints.acknowledge("t1", triggered, NO_STATE);
    const dir = await answer;
    assert.deepEqual(events, [`told ${triggered} (savepoint stored: true)`, "answered"]);
    assert.ok(Deno.statSync(`${dir}/_metadata`).isFile);
  } finally {
    checkpoints.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("metadata that cannot be written fails the savepoint, and no task is told", async () => {
  const root = await Deno.makeTempDir({ prefix: "spate-jc-" });
  const told: number[] = [];
  let triggered = -1;
  const { checkpoints } = oneTaskJob(root, (m) => {
    if (m.type === "triggerCheckpoint") triggered = m.barrier.id;
    if (m.type === "notifyCheckpointComplete") told.push(m.checkpointId);
  });
  try {
    await Deno.writeTextFile(`${root}/not-a-dir`, "a file where the savepoint's parent should be");
    const answer = checkpoints.triggerSavepoint(`${root}/not-a-dir`);
    checkpoints.acknowledge("t1", triggered, NO_STATE);
    await assert.rejects(answer, /cannot write savepoint .*not-a-dir\/savepoint-j1-/);
    await checkpoints.settled();
    assert.deepEqual(told, []);
    assert.equal(checkpoints.history().at(-1)?.status, "FAILED");
  } finally {
    checkpoints.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a checkpoint that cannot be recorded as completed (a deposed leader) fails, and no task is told", async () => {
  const root = await Deno.makeTempDir({ prefix: "spate-jc-" });
  const told: number[] = [];
  const recorded: number[] = [];
  let refuse = true;
  let triggered = -1;
  const { checkpoints } = oneTaskJob(root, (m) => {
    if (m.type === "triggerCheckpoint") triggered = m.barrier.id;
    if (m.type === "notifyCheckpointComplete") told.push(m.checkpointId);
  }, {
    intervalMs: 1,
    onCompleted: (id) => {
      if (refuse) return Promise.reject(new Error("this master no longer leads"));
      recorded.push(id);
      return Promise.resolve();
    },
  });
  /** Ticks until the coordinator (1 ms interval) triggers a new checkpoint; returns its id. */
  const triggerNext = async () => {
    const before = triggered;
    for (let i = 0; i < 500 && triggered === before; i++) {
      await new Promise((r) => setTimeout(r, 2));
      checkpoints.tick();
    }
    assert.notEqual(triggered, before, "no checkpoint was triggered");
    return triggered;
  };
  try {
    const first = await triggerNext();
    checkpoints.acknowledge("t1", first, NO_STATE);
    await checkpoints.settled();
    assert.deepEqual(told, []);
    const failed = checkpoints.history().at(-1);
    assert.equal(failed?.status, "FAILED");
    assert.equal(checkpoints.latestCompleted, undefined);

    refuse = false;
    const second = await triggerNext();
    assert.ok(second > first);
    checkpoints.acknowledge("t1", second, NO_STATE);
    await checkpoints.settled();
    assert.deepEqual([recorded, told], [[second], [second]]);
  } finally {
    checkpoints.stop();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a stop with savepoint marks its trigger, pauses periodic checkpoints, and fails the job over if declined", async () => {
  const root = await Deno.makeTempDir({ prefix: "spate-jc-" });
  const triggers: { id: number; stop?: string }[] = [];
  const { checkpoints, failures } = oneTaskJob(root, (m) => {
    if (m.type === "triggerCheckpoint") triggers.push({ id: m.barrier.id, stop: m.barrier.stop });
  }, { intervalMs: 1 });
  try {
    const stopped = checkpoints.triggerSavepoint(undefined, "drain");
    assert.deepEqual(triggers, [{ id: 1, stop: "drain" }]);
    await assert.rejects(
      checkpoints.triggerSavepoint(undefined, "suspend"),
      /being stopped with savepoint 1 already/,
    );
    await new Promise((r) => setTimeout(r, 5)); // a periodic checkpoint is due (1 ms interval)
    checkpoints.tick();
    assert.equal(triggers.length, 1, "no periodic checkpoint while stopping");
    checkpoints.decline("t1", 1, "the source failed");
    await assert.rejects(stopped, /savepoint 1 failed: declined by task t1: the source failed/);
    assert.deepEqual(failures, [
      "stop with savepoint 1 failed: declined by task t1: the source failed",
    ]);
  } finally {
    checkpoints.stop();
    await Deno.remove(root, { recursive: true });
  }
});
