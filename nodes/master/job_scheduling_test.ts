import assert from "node:assert/strict";
import { slotGrant, TWO_STEP_JOB } from "../../tests/_helpers/job_graphs.ts";
import type { ExecutionState } from "../protocol/job_status.ts";
import { JobScheduler, type SchedulingEffect, type SchedulingEvent } from "./job_scheduling.ts";
import { fixedDelay, noRestart, type RestartStrategy } from "./restart_strategy.ts";

/** One event as data; `task` names a subtask `vertex/subtask` of job `j1`. */
type Event =
  | readonly ["start"]
  | readonly ["granted", number]
  | readonly ["refused", number, string]
  | readonly ["timer", number]
  | readonly ["task", number, string, ExecutionState | "BOGUS", string?]
  | readonly ["workerLost", string]
  | readonly ["checkpointingFailed"]
  | readonly ["cancel"];

function toEvent(e: Event, nowMs: number): SchedulingEvent {
  switch (e[0]) {
    case "start":
    case "checkpointingFailed":
    case "cancel":
      return e[0] === "checkpointingFailed"
        ? { type: "checkpointingFailed", reason: "3 checkpoints expired", nowMs }
        : { type: e[0] };
    case "granted":
      return { type: "slotsGranted", attempt: e[1], grants: [slotGrant("w1"), slotGrant("w2")] };
    case "refused":
      return { type: "slotsRefused", attempt: e[1], message: e[2] };
    case "timer":
      return { type: "restartTimerFired", attempt: e[1] };
    case "task": {
      const [v, i] = e[2].split("/").map(Number);
      return {
        type: "taskState",
        attempt: e[1],
        taskId: `j1-${v}-${i}`,
        state: e[3] as ExecutionState,
        failure: e[4] === undefined
          ? undefined
          : { operatorName: "Explode", vertexName: "Sink", subtaskIndex: i, message: e[4] },
        nowMs,
      };
    }
    case "workerLost":
      return { type: "workerLost", workerId: e[1], nowMs };
  }
}

/** Effects as short strings, so a script reads as a table. */
function show(e: SchedulingEffect): string {
  switch (e.type) {
    case "allocateSlots":
      return `allocate ${e.count} slots #${e.attempt}`;
    case "deployTasks":
      return `deploy #${e.attempt}: ` +
        e.tasks.map((t) => `${t.vertexId}/${t.subtaskIndex}@${t.slot.workerId}`).join(" ");
    case "cancelTasks":
      return `cancel tasks on ${e.grants.map((g) => g.workerId).join(",")}`;
    case "releaseSlots":
      return "release slots";
    case "scheduleRestart":
      return `restart #${e.attempt} in ${e.delayMs} ms`;
    case "jobStatus":
      return `${e.state} #${e.attempt}${e.message ? `: ${e.message}` : ""}`;
    case "startCheckpoints":
      return "start checkpoints";
    case "checkpointTaskFinished":
      return `checkpoints: ${e.taskId} finished`;
    case "resetCheckpoints":
      return "reset checkpoints";
    case "stopCheckpoints":
      return `stop checkpoints${e.discard ? ", discard" : ""}`;
    case "jobEnded":
      return `ended ${e.state}` +
        (e.state === "FINISHED" ? ` in ${e.slots} slots` : "") +
        (e.state === "FAILED" ? ` in ${e.failure.operatorName}: ${e.failure.message}` : "");
    case "warn":
      return `warn: ${e.message}`;
  }
}

/** Feeds each event (one logical millisecond apart) and checks the effects it returns. */
function script(s: JobScheduler, steps: [Event, string[]][]): void {
  steps.forEach(([event, expected], i) => {
    assert.deepEqual(
      s.handle(toEvent(event, i)).map(show),
      expected,
      `after step ${i} ${JSON.stringify(event)}`,
    );
  });
}

function scheduler(restartStrategy: RestartStrategy = noRestart()): JobScheduler {
  return new JobScheduler({ jobId: "j1", jobGraph: TWO_STEP_JOB, restartStrategy });
}

const DEPLOY_0: [Event, string[]][] = [
  [["start"], ["allocate 2 slots #0"]],
  [["granted", 0], ["RUNNING #0", "deploy #0: 1/0@w1 2/0@w1 2/1@w2"]],
];
const run = (attempt: number): [Event, string[]][] => [
  [["task", attempt, "1/0", "RUNNING"], []],
  [["task", attempt, "2/0", "RUNNING"], []],
  [["task", attempt, "2/1", "RUNNING"], ["start checkpoints"]],
];
const finish = (attempt: number): [Event, string[]][] => [
  [["task", attempt, "1/0", "FINISHED"], ["checkpoints: j1-1-0 finished"]],
  [["task", attempt, "2/0", "FINISHED"], ["checkpoints: j1-2-0 finished"]],
  [["task", attempt, "2/1", "FINISHED"], [
    "checkpoints: j1-2-1 finished",
    "stop checkpoints, discard",
    "cancel tasks on w1,w2",
    "release slots",
    `FINISHED #${attempt}`,
    "ended FINISHED in 2 slots",
  ]],
];

function states(s: JobScheduler): string {
  return [...s.graph.subtasks].map((t) => `${t.vertexId}/${t.subtaskIndex} ${t.state}`).join(
    ", ",
  );
}

/** Attempt 0's first subtask fails; a fixed-delay strategy of 10 ms restarts the job. */
const FAIL_0: [Event, string[]] = [["task", 0, "1/0", "FAILED", "boom"], [
  "reset checkpoints",
  "cancel tasks on w1,w2",
  "release slots",
  "RESTARTING #1: restarting in 10 ms after: boom",
  "restart #1 in 10 ms",
]];

Deno.test("a normal run: slots, deployment, all running, all finished", () => {
  const s = scheduler();
  script(s, [...DEPLOY_0, ...run(0), ...finish(0)]);
  assert.equal(s.state, "FINISHED");
  assert.equal(states(s), "1/0 FINISHED, 2/0 FINISHED, 2/1 FINISHED");
  assert.deepEqual(s.handle({ type: "cancel" }), [], "an ended job ignores a cancel");
});

Deno.test("a task fails, the job restarts after the delay and then finishes", () => {
  const s = scheduler(fixedDelay(1, 10));
  script(s, [...DEPLOY_0, ...run(0), [["task", 0, "2/1", "FAILED", "boom"], [
    "reset checkpoints",
    "cancel tasks on w1,w2",
    "release slots",
    "RESTARTING #1: restarting in 10 ms after: boom",
    "restart #1 in 10 ms",
  ]]]);
  assert.equal(states(s), "1/0 CANCELED, 2/0 CANCELED, 2/1 FAILED");
  script(s, [
    [["timer", 1], ["allocate 2 slots #1"]],
    [["granted", 1], ["RUNNING #1", "deploy #1: 1/0@w1 2/0@w1 2/1@w2"]],
    ...run(1),
    ...finish(1),
  ]);
  assert.equal(s.state, "FINISHED");
  assert.equal(s.attempt, 1);
});

Deno.test("the restart budget spent, the job fails with the failing operator", () => {
  const s = scheduler(fixedDelay(1, 10));
  script(s, [
    ...DEPLOY_0,
    ...run(0),
    [["task", 0, "2/1", "FAILED", "boom"], [
      "reset checkpoints",
      "cancel tasks on w1,w2",
      "release slots",
      "RESTARTING #1: restarting in 10 ms after: boom",
      "restart #1 in 10 ms",
    ]],
    [["timer", 1], ["allocate 2 slots #1"]],
    [["granted", 1], ["RUNNING #1", "deploy #1: 1/0@w1 2/0@w1 2/1@w2"]],
    [["task", 1, "1/0", "RUNNING"], []],
    [["task", 1, "2/1", "FAILED", "boom again"], [
      "stop checkpoints",
      "cancel tasks on w1,w2",
      "release slots",
      "FAILED #1: boom again",
      "ended FAILED in Explode: boom again",
    ]],
    [["task", 1, "2/0", "FAILED", "late"], []],
  ]);
  assert.equal(s.state, "FAILED");
  assert.deepEqual(s.failureCause, {
    operatorName: "Explode",
    vertexName: "Sink",
    subtaskIndex: 1,
    message: "boom again",
  });
  assert.equal(states(s), "1/0 CANCELED, 2/0 CANCELED, 2/1 FAILED");
});

Deno.test("cancel while slots are asked for, while deploying, and while running", () => {
  const ended = ["CANCELED #0", "ended CANCELED"];
  const allocating = scheduler();
  script(allocating, [
    [["start"], ["allocate 2 slots #0"]],
    [["cancel"], ["stop checkpoints, discard", "release slots", ...ended]],
    [["granted", 0], ["cancel tasks on w1,w2", "release slots"]],
    [["cancel"], []],
  ]);
  assert.equal(states(allocating), "1/0 CANCELED, 2/0 CANCELED, 2/1 CANCELED");

  const deploying = scheduler();
  script(deploying, [
    ...DEPLOY_0,
    [["task", 0, "1/0", "RUNNING"], []],
    [["cancel"], ["stop checkpoints, discard", "cancel tasks on w1,w2", "release slots", ...ended]],
    [["task", 0, "2/0", "RUNNING"], []],
  ]);
  assert.equal(states(deploying), "1/0 CANCELED, 2/0 CANCELED, 2/1 CANCELED");

  const running = scheduler(fixedDelay(3, 10));
  script(running, [
    ...DEPLOY_0,
    ...run(0),
    [["task", 0, "1/0", "FINISHED"], ["checkpoints: j1-1-0 finished"]],
    [["cancel"], ["stop checkpoints, discard", "cancel tasks on w1,w2", "release slots", ...ended]],
    [["task", 0, "2/0", "FAILED", "interrupted"], []],
  ]);
  assert.equal(running.state, "CANCELED");
  assert.equal(states(running), "1/0 FINISHED, 2/0 CANCELED, 2/1 CANCELED");
});

Deno.test("cancel during the restart delay: the timer finds the job ended", () => {
  const s = scheduler(fixedDelay(3, 10));
  script(s, [
    ...DEPLOY_0,
    FAIL_0,
    [["cancel"], ["stop checkpoints, discard", "release slots", "CANCELED #1", "ended CANCELED"]],
    [["timer", 1], []],
  ]);
});

Deno.test("a lost worker restarts the job if it ran some of its tasks", () => {
  const s = scheduler(fixedDelay(3, 10));
  script(s, [
    [["start"], ["allocate 2 slots #0"]],
    [["workerLost", "w2"], []],
    [["granted", 0], ["RUNNING #0", "deploy #0: 1/0@w1 2/0@w1 2/1@w2"]],
    ...run(0),
    [["workerLost", "w3"], []],
    [["workerLost", "w2"], [
      "reset checkpoints",
      "cancel tasks on w1,w2",
      "release slots",
      "RESTARTING #1: restarting in 10 ms after: worker w2 was lost while running tasks of this job",
      "restart #1 in 10 ms",
    ]],
    // The lost worker's heartbeat expiring during the restart delay is old news.
    [["workerLost", "w2"], []],
    [["timer", 1], ["allocate 2 slots #1"]],
  ]);
  assert.equal(s.failureCause?.operatorName, "(worker)");
});

Deno.test("slots refused: the job fails at once, without restarting", () => {
  const message = "job j1 needs 2 slots, cluster has 1 free after waiting 10 ms";
  const s = scheduler(fixedDelay(3, 10));
  script(s, [
    [["start"], ["allocate 2 slots #0"]],
    [["refused", 0, message], [
      "stop checkpoints",
      "release slots",
      `FAILED #0: ${message}`,
      `ended FAILED in (scheduler): ${message}`,
    ]],
  ]);
});

Deno.test("a failed checkpointing restarts the job like a failed task", () => {
  const s = scheduler(fixedDelay(3, 10));
  script(s, [...DEPLOY_0, ...run(0), [["checkpointingFailed"], [
    "reset checkpoints",
    "cancel tasks on w1,w2",
    "release slots",
    "RESTARTING #1: restarting in 10 ms after: checkpointing failed: 3 checkpoints expired",
    "restart #1 in 10 ms",
  ]]]);
});

Deno.test("messages of an old attempt are ignored; stale slots are given back", () => {
  const s = scheduler(fixedDelay(3, 10));
  script(s, [
    ...DEPLOY_0,
    FAIL_0,
    [["task", 0, "2/0", "RUNNING"], []],
    [["task", 0, "2/1", "FAILED", "channel closed"], []],
    [["timer", 0], []],
    [["refused", 0, "too late"], []],
    [["granted", 0], ["release slots"]],
    [["timer", 1], ["allocate 2 slots #1"]],
    [["granted", 1], ["RUNNING #1", "deploy #1: 1/0@w1 2/0@w1 2/1@w2"]],
  ]);
  assert.equal(states(s), "1/0 DEPLOYING, 2/0 DEPLOYING, 2/1 DEPLOYING");
});

Deno.test("an impossible report from a worker is logged and changes nothing", () => {
  const s = scheduler();
  const ignored = (task: string, state: string, why: string) =>
    `warn: task j1-${task} of attempt 0 reported ${state} ${why}: ignored`;
  script(s, [
    ...DEPLOY_0,
    [["task", 0, "1/0", "FINISHED"], [ignored("1-0", "FINISHED", "while DEPLOYING")]],
    [["task", 0, "1/0", "RUNNING"], []],
    [["task", 0, "1/0", "RUNNING"], [ignored("1-0", "RUNNING", "while RUNNING")]],
    [["task", 0, "2/0", "CANCELED"], [ignored("2-0", "CANCELED", "while DEPLOYING")]],
    [["task", 0, "2/0", "BOGUS"], [ignored("2-0", "BOGUS", "while DEPLOYING")]],
    [["task", 0, "9/0", "RUNNING"], [ignored("9-0", "RUNNING", "but the job has no such task")]],
  ]);
  assert.equal(s.state, "RUNNING");
  assert.equal(states(s), "1/0 RUNNING, 2/0 DEPLOYING, 2/1 DEPLOYING");
});

Deno.test("a failure reported without a cause still fails over, naming the task", () => {
  const s = scheduler();
  script(s, [...DEPLOY_0, [["task", 0, "2/1", "FAILED"], [
    "stop checkpoints",
    "cancel tasks on w1,w2",
    "release slots",
    "FAILED #0: the task failed without a cause",
    "ended FAILED in task j1-2-1: the task failed without a cause",
  ]]]);
});
