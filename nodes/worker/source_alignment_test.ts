import assert from "node:assert/strict";
import { TimestampsAndWatermarksOperator } from "../../core/operators/timestamps_and_watermarks.ts";
import { WatermarkStrategy } from "../../core/time/watermark_strategy.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import {
  alignedSteps,
  type AlignmentReport,
  MIN_REPORT_SPACING_MS,
  SourceAlignment,
} from "./source_alignment.ts";

Deno.test("an aligned source reports at once when paused or a quarter of its drift on, at most every few ms", async () => {
  const strategy = WatermarkStrategy.forMonotonousTimestamps<number>()
    .withWatermarkAlignment("g", 1000, 200);
  const op = new TimestampsAndWatermarksOperator(strategy, () => 0);
  const h = await new OperatorHarness<number, number>(op).open();
  const reports: AlignmentReport[] = [];
  // The steps as a source task finds them in its chain.
  const steps = alignedSteps(h.chain.operators).map((s) => s.step);
  assert.equal(steps.length, 1);
  const alignment = new SourceAlignment(steps, { vertexId: 1, parallelism: 2 }, (r) => {
    reports.push(r);
  });
  const watermarks = () => reports.map((r) => r.finished ? "finished" : r.watermark);
  const spacing = MIN_REPORT_SPACING_MS;
  alignment.start(h.time);
  assert.deepEqual(watermarks(), [undefined], "the first report goes at start");

  h.element(1, 100);
  assert.equal(
    alignment.paused,
    true,
    "before the first answer a source stops at its first record",
  );
  assert.equal(alignment.paused, true);
  assert.deepEqual(watermarks(), [undefined], "not within the spacing, and not twice");
  h.time.advanceTo(spacing);
  assert.deepEqual(watermarks(), [undefined, 100], "the held-back report goes after the spacing");

  alignment.update("g", 1100);
  h.element(2, 300);
  assert.equal(alignment.paused, false);
  h.time.advanceTo(2 * spacing);
  assert.deepEqual(watermarks(), [undefined, 100], "200 ms on is less than a quarter of the drift");
  h.element(3, 400);
  assert.equal(alignment.paused, false);
  h.time.advanceTo(3 * spacing);
  assert.deepEqual(
    watermarks(),
    [undefined, 100, 400],
    "300 ms on: it reports without the interval",
  );

  h.element(4, 1200);
  assert.equal(alignment.paused, true, "past the answered limit");
  h.time.advanceTo(4 * spacing);
  assert.deepEqual(watermarks(), [undefined, 100, 400, 1200], "a paused source asks at once");
  alignment.update("g", 2000);
  assert.equal(alignment.paused, false);

  alignment.finish();
  h.time.advanceTo(1000);
  assert.deepEqual(
    watermarks(),
    [undefined, 100, 400, 1200, "finished"],
    "no report after the end",
  );
});
