import assert from "node:assert/strict";
import {
  attemptIdOf,
  channelIdOf,
  isChannelOfJob,
  newJobId,
  parseTaskId,
  taskIdOf,
} from "./ids.ts";

Deno.test("a task id gives back its vertex and subtask", () => {
  const jobId = newJobId();
  assert.match(jobId, /^[0-9a-f]{32}$/);
  assert.deepEqual(parseTaskId(jobId, taskIdOf(jobId, 12, 3)), { vertexId: 12, subtaskIndex: 3 });
});

Deno.test("channel ids belong to their job whatever the attempt; attempt ids differ", () => {
  const a = "0123", b = "01234";
  assert.ok(isChannelOfJob(channelIdOf(a, 0, 1, 2, 3), a));
  assert.ok(isChannelOfJob(channelIdOf(a, 5, 1, 2, 3), a));
  assert.ok(!isChannelOfJob(channelIdOf(b, 0, 1, 2, 3), a));
  assert.notEqual(attemptIdOf(a, 0), attemptIdOf(a, 1));
});
