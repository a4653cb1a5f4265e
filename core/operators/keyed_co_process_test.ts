import assert from "node:assert/strict";
import type { KeyedCoProcessFunction } from "../api/co_functions.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { KeyedCoProcessOperator } from "./keyed_co_process.ts";

type Ev = { k: string; v: number };
type Limit = { user: string; max: number };

/**
 * Sums each key's events until 10 ms after its first, then emits the sum
 * capped by the key's limit from input 2.
 */
function cappedSums(): KeyedCoProcessFunction<string, Ev, Limit, string> {
  let sum: ValueState<number>;
  let limit: ValueState<number>;
  return {
    open(ctx) {
      sum = ctx.getState(new ValueStateDescriptor<number>("sum"));
      limit = ctx.getState(new ValueStateDescriptor<number>("limit", Infinity));
    },
    processElement1(e, ctx) {
      if (sum.value() === undefined) {
        ctx.timerService().registerEventTimeTimer(ctx.timestamp()! + 10);
      }
      sum.update((sum.value() ?? 0) + e.v);
    },
    processElement2(l, ctx) {
      assert.equal(ctx.getCurrentKey(), l.user);
      limit.update(l.max);
    },
    onTimer(ts, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${ts}:${Math.min(sum.value()!, limit.value()!)}`);
      sum.clear();
    },
  };
}

const harness = () =>
  new OperatorHarness(
    new KeyedCoProcessOperator(cappedSums(), (e: Ev) => e.k, (l: Limit) => l.user),
    { keyed: true },
  );

Deno.test("keyed co-process: both inputs share each key's state; timers fire on the combined watermark", async () => {
  const h = await harness().open();
  h.element({ k: "a", v: 5 }, 100).element2({ user: "a", max: 7 }, 0).element(
    { k: "a", v: 4 },
    103,
  );
  h.element({ k: "b", v: 9 }, 104);
  h.watermark(120);
  assert.deepEqual(h.records(), [], "input 2 is still at -Infinity");
  h.watermark2(110);
  assert.deepEqual(h.timestamped(), [["a@110:7", 110]]);
  h.watermark2(200);
  assert.deepEqual(h.timestamped(), [["a@110:7", 110], ["b@114:9", 114]]);
  assert.deepEqual(h.watermarks(), [110, 120]);
});

Deno.test("keyed co-process: state and timers of both domains survive a snapshot and restore", async () => {
  const first = await harness().open();
  first.element2({ user: "a", max: 3 }).element({ k: "a", v: 5 }, 100).element(
    { k: "b", v: 1 },
    50,
  );
  const snapshot = await first.snapshot();
  const second = await harness().open(snapshot);
  second.element({ k: "b", v: 4 }, 55).watermark(1_000).watermark2(1_000);
  assert.deepEqual(second.records(), ["b@60:5", "a@110:3"]);

  const fn: KeyedCoProcessFunction<string, Ev, Limit, string> = {
    processElement1(e, ctx) {
      ctx.timerService().registerProcessingTimeTimer(e.v);
    },
    processElement2() {},
    onTimer(ts, ctx, out) {
      out.collect(`${ctx.getCurrentKey()}@${ts}:${ctx.timeDomain()}`);
    },
  };
  const op = () => new KeyedCoProcessOperator(fn, (e: Ev) => e.k, (l: Limit) => l.user);
  const before = await new OperatorHarness(op(), { keyed: true }).open();
  before.element({ k: "x", v: 30 });
  const after = await new OperatorHarness(op(), { keyed: true }).open(await before.snapshot());
  after.advanceProcessingTime(29);
  assert.deepEqual(after.records(), []);
  after.advanceProcessingTime(30);
  assert.deepEqual(after.timestamped(), [["x@30:processing_time", undefined]]);
});
