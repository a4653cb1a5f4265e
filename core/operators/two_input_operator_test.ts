import assert from "node:assert/strict";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { CoMapOperator } from "./co_map.ts";

function passThrough() {
  return new OperatorHarness(
    new CoMapOperator<string, string, string>({ map1: (s) => s, map2: (s) => s }),
  ).open();
}

Deno.test("the combined watermark is the lower input's, emitted only when it rises", async () => {
  const h = await passThrough();
  h.watermark(10);
  assert.deepEqual(h.watermarks(), [], "input 2 is still at -Infinity");
  h.watermark2(5).watermark2(7);
  assert.deepEqual(h.watermarks(), [5, 7]);
  h.watermark2(30);
  assert.deepEqual(h.watermarks(), [5, 7, 10], "input 1 now rules");
  h.watermark(20).watermark(25).watermark2(31);
  assert.deepEqual(h.watermarks(), [5, 7, 10, 20, 25], "31 on input 2 does not raise the minimum");
  h.watermark(Infinity).watermark2(Infinity);
  assert.deepEqual(h.watermarks(), [5, 7, 10, 20, 25, 31, Infinity]);
});

Deno.test("an idle input does not hold the watermark back; idle only when both inputs are", async () => {
  const h = await passThrough();
  h.watermark(10).watermark2(4);
  h.status2(true); // input 1 alone rules now: 10
  h.watermark(12);
  h.status(true); // both idle
  h.watermark(50); // nothing moves while both are idle
  h.status2(false); // back at 4, behind the output: no watermark until it passes 12
  h.watermark2(9).watermark2(20);
  h.status(false); // input 1 (at 50) is back: input 2 (20) still rules
  h.watermark(60).watermark2(70);
  assert.deepEqual(h.progress(), [4, 10, 12, "idle", "active", 20, 60]);
});
