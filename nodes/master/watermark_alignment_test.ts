import assert from "node:assert/strict";
import { WatermarkAlignmentCoordinator, type WatermarkReport } from "./watermark_alignment.ts";

const report = (taskId: string, r: Partial<WatermarkReport> = {}): WatermarkReport => ({
  taskId,
  group: "g",
  maxDriftMs: 100,
  vertexId: 1,
  parallelism: 3,
  ...r,
});

Deno.test("alignment: nobody runs ahead until every subtask of the group reported", () => {
  const c = new WatermarkAlignmentCoordinator();
  assert.equal(c.report(1, report("a", { watermark: 1000 })), -Infinity);
  assert.equal(c.report(1, report("b", { watermark: 500 })), -Infinity);
  // The third one has no watermark yet: it holds the others back at its -Infinity.
  assert.equal(c.report(1, report("c")), 500 + 100);
  assert.equal(c.report(1, report("a", { watermark: 1000 })), -Infinity);
});

Deno.test("alignment: each is answered the others' lowest plus the drift", () => {
  const c = new WatermarkAlignmentCoordinator();
  c.report(1, report("a", { watermark: 1000 }));
  c.report(1, report("b", { watermark: 500 }));
  c.report(1, report("c", { watermark: 700 }));
  assert.equal(c.report(1, report("a", { watermark: 1000 })), 500 + 100);
  // The slowest is not held back by its own (older) report.
  assert.equal(c.report(1, report("b", { watermark: 500 })), 700 + 100);
});

Deno.test("alignment: idle and finished subtasks do not hold the group back", () => {
  const c = new WatermarkAlignmentCoordinator();
  c.report(1, report("a", { watermark: 1000 }));
  c.report(1, report("b", { idle: true }));
  c.report(1, report("c", { finished: true }));
  assert.equal(c.report(1, report("a", { watermark: 1000 })), Infinity);
  // Active again: b counts again; c stays finished even if a late report comes.
  c.report(1, report("b", { watermark: 200 }));
  c.report(1, report("c", { watermark: 0 }));
  assert.equal(c.report(1, report("a", { watermark: 1000 })), 300);
});

Deno.test("alignment: groups are apart, and a new attempt starts over", () => {
  const c = new WatermarkAlignmentCoordinator();
  const one = { parallelism: 1 };
  c.report(1, report("a", { ...one, watermark: 1000 }));
  c.report(1, report("x", { ...one, group: "h", vertexId: 2, watermark: 0 }));
  assert.equal(c.report(1, report("a", { ...one, watermark: 1000 })), Infinity);
  // A second vertex in group g: its subtask is awaited.
  assert.equal(c.report(1, report("y", { ...one, vertexId: 3, watermark: 50 })), 1100);
  assert.equal(c.report(1, report("a", { ...one, watermark: 1000 })), 150);
  // Attempt 2: the old reports are gone; a vertex is awaited once one of its subtasks reported.
  assert.equal(c.report(2, report("a", { ...one, watermark: 10 })), Infinity);
  assert.equal(c.report(2, report("y", { ...one, vertexId: 3, watermark: 0 })), 110);
  assert.equal(c.report(2, report("a", { ...one, watermark: 10 })), 100);
});
