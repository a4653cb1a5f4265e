import assert from "node:assert/strict";
import type { CoProcessFunction } from "../api/co_functions.ts";
import { OutputTag } from "../api/functions.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { CoProcessOperator } from "./co_process.ts";

const rejected = new OutputTag<string>("rejected");

/** Passes numbers >= 0 from input 1 and strings from input 2; negatives go aside. */
const route: CoProcessFunction<number, string, string> = {
  processElement1(n, ctx, out) {
    if (n < 0) ctx.output(rejected, `${n}@${ctx.timestamp()}`);
    else out.collect(`n${n} wm=${ctx.timerService().currentWatermark()}`);
  },
  processElement2(s, ctx, out) {
    out.collect(`s${s}@${ctx.timestamp()}`);
  },
};

Deno.test("co-process: each input to its method, side output, combined watermark in the context", async () => {
  const h = await new OperatorHarness(new CoProcessOperator(route)).open();
  h.element(1, 100).element(-2, 101).element2("x", 102);
  h.watermark(50).element(3);
  h.watermark2(40).element(4);
  assert.deepEqual(h.records(), ["n1 wm=-Infinity", "sx@102", "n3 wm=-Infinity", "n4 wm=40"]);
  assert.deepEqual(h.side("rejected"), ["-2@101"]);
  assert.deepEqual(h.timestamped()[0], ["n1 wm=-Infinity", 100]);
});

Deno.test("co-process on non-keyed inputs: registering a timer says to key the streams", async () => {
  const h = await new OperatorHarness(
    new CoProcessOperator<number, number, number>({
      processElement1(n, ctx) {
        ctx.timerService().registerEventTimeTimer(n);
      },
      processElement2() {},
    }),
  ).open();
  assert.throws(() => h.element(1), /timers need a keyed stream/);
});
