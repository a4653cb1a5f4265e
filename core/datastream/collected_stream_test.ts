import assert from "node:assert/strict";
import {
  LazyCollectedStream,
  type UnreadCollects,
  unreadCollectsMessage,
} from "./collected_stream.ts";
import type { JobExecutionResult } from "../graph/job_result.ts";

/** A stream whose job emits `batches` and finishes; counts its submissions. */
function stream(batches: number[][]) {
  const unread: UnreadCollects = new Set();
  let submitted = 0;
  const s = new LazyCollectedStream<number>("c", (onBatch) => {
    submitted++;
    for (const b of batches) onBatch(b);
    return Promise.resolve({ jobName: "c" } as JobExecutionResult);
  }, unread);
  return { s, unread, submitted: () => submitted };
}

Deno.test("the job is submitted on the first read, once", async () => {
  const { s, unread, submitted } = stream([[1, 2], [3]]);
  assert.equal(submitted(), 0);
  assert.equal(unread.size, 1);
  assert.match(unreadCollectsMessage(unread), /executeAndCollect\("c"\) were never read/);
  assert.deepEqual(await s, [1, 2, 3]);
  assert.equal(unread.size, 0);
  assert.deepEqual(await s.toArray(), [1, 2, 3], "toArray() gives the same records again");
  await s.result;
  assert.equal(submitted(), 1);
});

Deno.test("the records are iterated once", async () => {
  const { s } = stream([[1], [2]]);
  const got: number[] = [];
  for await (const x of s) got.push(x);
  assert.deepEqual(got, [1, 2]);
  assert.throws(() => s[Symbol.asyncIterator](), /can be read once/);
});

Deno.test("a failed job rejects the read", async () => {
  const unread: UnreadCollects = new Set();
  const s = new LazyCollectedStream<number>("c", () => Promise.reject(new Error("boom")), unread);
  await assert.rejects(() => s.toArray(), /boom/);
  await assert.rejects(() => s.result, /boom/);
});
