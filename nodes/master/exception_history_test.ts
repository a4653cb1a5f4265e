import assert from "node:assert/strict";
import { ExceptionHistory } from "./exception_history.ts";

const failure = (message: string, subtaskIndex = 0) => ({
  operatorName: "Map",
  vertexName: "Source -> Map",
  subtaskIndex,
  message,
  stack: `Error: ${message}\n    at map`,
});

Deno.test("ExceptionHistory: newest first, the latest is the root, bounded and marked truncated", () => {
  const h = new ExceptionHistory(2);
  assert.deepEqual(h.response(), { history: [], truncated: false });
  h.record(failure("one"), 0, 10, "w1");
  h.record(failure("two", -1), 1, 20);
  assert.equal(h.response().truncated, false);
  h.record(failure("three", 1), 2, 30, "w2");
  const r = h.response();
  assert.deepEqual(r.history.map((e) => e.exception), ["three", "two"]);
  assert.equal(r.truncated, true);
  assert.deepEqual(r.rootException, {
    timestamp: 30,
    attempt: 2,
    operator: "Map",
    vertex: "Source -> Map",
    subtask: 1,
    worker: "w2",
    exception: "three",
    stacktrace: "Error: three\n    at map",
  });
  assert.equal("subtask" in r.history[1], false, "a failure of no subtask has none");
});

Deno.test("ExceptionHistory: the limit is checked", () => {
  assert.throws(() => new ExceptionHistory(0), /positive integer, got 0/);
});
