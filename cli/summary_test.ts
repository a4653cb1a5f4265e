import assert from "node:assert/strict";
import { summaryText } from "./summary.ts";

Deno.test("the run summary prints every vertex name whole, however long", () => {
  const name = "Source: readTextFile(/a/very/long/path/to/the/input/of/this/job/data.txt) -> " +
    "Tokenize -> Filter stop words";
  const counters = {
    recordsIn: 1,
    recordsOut: 2,
    bytesIn: 3,
    bytesOut: 4,
    buffersOut: 1,
    maxInputQueueBuffers: 0,
    maxOutputBacklogBuffers: 0,
    backpressuredMs: 0,
  };
  const text = summaryText({
    jobId: "0".repeat(32),
    jobName: "long",
    state: "FINISHED",
    durationMs: 1500,
    slots: 1,
    vertices: [
      { id: 1, name, parallelism: 1, ...counters },
      { id: 2, name: "Sink", parallelism: 1, ...counters },
    ],
  });
  const [, header, first, second] = text.split("\n");
  assert.ok(first.includes(name), first);
  assert.equal(first.indexOf(" 1 "), header.indexOf("par") + 1, "columns stay aligned");
  assert.equal(second.indexOf(" 1 "), header.indexOf("par") + 1);
});
