import assert from "node:assert/strict";
import { rateBetween } from "./metrics_cost.ts";

Deno.test("rateBetween: rows per second over a span, interpolated between the timeline's points", () => {
  // A row every ms for the first 100 rows (10 a point), then one every 2 ms.
  const timeline = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120, 140, 160];
  assert.equal(rateBetween(timeline, 10, 20, 80), 1000);
  assert.equal(rateBetween(timeline, 10, 25, 35), 1000);
  assert.equal(rateBetween(timeline, 10, 110, 150), 500);
  // 20 rows in 30 ms across the change of pace.
  assert.ok(Math.abs(rateBetween(timeline, 10, 90, 120)! - 20 / 0.03) < 1e-9);
});

Deno.test("rateBetween: a span reaching outside the timeline has no rate", () => {
  const timeline = [10, 20, 30];
  assert.equal(rateBetween(timeline, 10, 5, 25), undefined);
  assert.equal(rateBetween(timeline, 10, 15, 31), undefined);
  assert.equal(rateBetween([], 10, 1, 2), undefined);
});
