import assert from "node:assert/strict";
import { JobProgress } from "./progress_line.ts";

const v = (name: string, recordsIn: number, backpressuredMs = 0) => ({
  name,
  recordsIn,
  recordsOut: recordsIn,
  backpressuredMs,
});

Deno.test("JobProgress: rate over the last report, checkpoints, the most backpressured vertex", () => {
  const p = new JobProgress();
  p.update([v("Source", 0), v("Map", 0)], 1000);
  assert.equal(p.line(200), "0 records processed | 0 checkpoints | no backpressure");
  p.update([v("Source", 10_000, 100), v("Map", 9_000, 600)], 3000);
  p.checkpoints = 1;
  assert.equal(
    p.line(200),
    "9,500 records/s | 19,000 records processed | 1 checkpoint | backpressure 30% at Map",
  );
  // A report at the same instant changes counts, not the rate.
  p.update([v("Source", 12_000, 100), v("Map", 11_000, 600)], 3000);
  assert.match(p.line(200), /^9,500 records\/s \| 23,000 records processed/);
});

Deno.test("JobProgress: the line fits the terminal", () => {
  const p = new JobProgress();
  p.update([v("a very long operator name indeed", 1)], 0);
  const line = p.line(20);
  assert.equal(line.length, 19);
  assert.ok(line.endsWith("…"));
});
