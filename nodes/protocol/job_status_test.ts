import assert from "node:assert/strict";
import {
  checkExecutionTransition,
  checkJobTransition,
  EXECUTION_STATES,
  EXECUTION_TRANSITIONS,
  type ExecutionState,
  IllegalTransitionError,
  isLegalExecutionTransition,
  isLegalJobTransition,
  isTerminalExecutionState,
  isTerminalJobState,
  JOB_STATES,
  JOB_TRANSITIONS,
  type JobState,
} from "./job_status.ts";

/** The states reachable from `start` in `table`. */
function reachable<S extends string>(table: Readonly<Record<S, readonly S[]>>, start: S): Set<S> {
  const seen = new Set<S>([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const next of table[todo.pop()!]) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

Deno.test("every state has a row, every target is a state, all start from CREATED", () => {
  assert.deepEqual(Object.keys(EXECUTION_TRANSITIONS).sort(), [...EXECUTION_STATES].sort());
  assert.deepEqual(Object.keys(JOB_TRANSITIONS).sort(), [...JOB_STATES].sort());
  assert.deepEqual(
    [...reachable(EXECUTION_TRANSITIONS, "CREATED")].sort(),
    [
      ...EXECUTION_STATES,
    ].sort(),
  );
  assert.deepEqual([...reachable(JOB_TRANSITIONS, "CREATED")].sort(), [...JOB_STATES].sort());
});

Deno.test("terminal states are Flink's, and every other state can reach one", () => {
  assert.deepEqual(EXECUTION_STATES.filter(isTerminalExecutionState), [
    "FINISHED",
    "CANCELED",
    "FAILED",
  ]);
  assert.deepEqual(JOB_STATES.filter(isTerminalJobState), ["FINISHED", "FAILED", "CANCELED"]);
  for (const s of EXECUTION_STATES) {
    assert.ok([...reachable(EXECUTION_TRANSITIONS, s)].some(isTerminalExecutionState), s);
  }
  for (const s of JOB_STATES) {
    assert.ok([...reachable(JOB_TRANSITIONS, s)].some(isTerminalJobState), s);
  }
});

Deno.test("a subtask runs in order and may fail or be cancelled until it ends", () => {
  const path: ExecutionState[] = ["CREATED", "SCHEDULED", "DEPLOYING", "RUNNING", "FINISHED"];
  for (let i = 1; i < path.length; i++) checkExecutionTransition(path[i - 1], path[i]);
  for (const s of path.slice(0, -1)) {
    assert.ok(isLegalExecutionTransition(s, "FAILED") && isLegalExecutionTransition(s, "CANCELED"));
  }
  assert.ok(!isLegalExecutionTransition("CREATED", "RUNNING"), "no skipping deployment");
  assert.ok(!isLegalExecutionTransition("RUNNING", "RUNNING"));
  assert.ok(!isLegalExecutionTransition("FAILED", "CANCELED"));
  assert.ok(!isLegalExecutionTransition("BOGUS", "RUNNING"), "a peer may send anything");
  assert.ok(!isLegalExecutionTransition("RUNNING", "BOGUS"));
});

Deno.test("a job restarts from RUNNING or RESTARTING and never leaves an end state", () => {
  const legal: [JobState, JobState][] = [
    ["CREATED", "RUNNING"],
    ["RUNNING", "RESTARTING"],
    ["RESTARTING", "RESTARTING"],
    ["RESTARTING", "RUNNING"],
    ["RUNNING", "FINISHED"],
    ["RESTARTING", "FAILED"],
    ["CREATED", "CANCELED"],
  ];
  for (const [from, to] of legal) checkJobTransition(from, to);
  assert.ok(!isLegalJobTransition("CREATED", "FINISHED"));
  assert.ok(!isLegalJobTransition("CREATED", "RESTARTING"));
  for (const end of ["FINISHED", "FAILED", "CANCELED"] as const) {
    for (const s of JOB_STATES) assert.ok(!isLegalJobTransition(end, s), `${end} -> ${s}`);
  }
});

Deno.test("an illegal transition throws a programmer error naming both states", () => {
  assert.throws(
    () => checkJobTransition("CANCELED", "FAILED", "job j1"),
    (e: Error) =>
      e instanceof IllegalTransitionError &&
      e.message === "job j1: illegal transition CANCELED -> FAILED (legal from CANCELED: none)",
  );
  assert.throws(
    () => checkExecutionTransition("CREATED", "RUNNING", "subtask 2/0"),
    /subtask 2\/0: illegal transition CREATED -> RUNNING \(legal from CREATED: SCHEDULED, CANCELED, FAILED\)/,
  );
});
