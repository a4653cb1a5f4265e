import assert from "node:assert/strict";
import type { KeyedBroadcastProcessFunction } from "../api/co_functions.ts";
import { type MapState, MapStateDescriptor } from "../api/state.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { KeyedBroadcastProcessOperator } from "./keyed_broadcast_process.ts";

type Ev = { k: string; v: number };
const limits = new MapStateDescriptor<string, number>("limits");

/**
 * Buffers each key's values until the watermark passes them, then emits
 * those within the limit in force then ("*" = every key, or the key's own).
 */
function limitsAtTimer(): KeyedBroadcastProcessFunction<string, Ev, [string, number], string> {
  let pending: MapState<number, number>;
  return {
    open(ctx) {
      pending = ctx.getMapState(new MapStateDescriptor<number, number>("pending"));
    },
    processElement(e, ctx) {
      assert.equal(ctx.getCurrentKey(), e.k);
      pending.put(ctx.timestamp()!, e.v);
      ctx.timerService().registerEventTimeTimer(ctx.timestamp()!);
    },
    processBroadcastElement([key, max], ctx) {
      ctx.getBroadcastState(limits).put(key, max);
    },
    onTimer(ts, ctx, out) {
      const rules = ctx.getBroadcastState(limits);
      const max = rules.get(ctx.getCurrentKey()) ?? rules.get("*") ?? Infinity;
      const v = pending.get(ts)!;
      pending.remove(ts);
      if (v <= max) out.collect(`${ctx.getCurrentKey()}@${ts}:${v}`);
    },
  };
}

const harness = () =>
  new OperatorHarness(
    new KeyedBroadcastProcessOperator(limitsAtTimer(), (e: Ev) => e.k, [limits]),
    { keyed: true },
  );

Deno.test("keyed broadcast process: keyed state, timers, and the rules when a timer fires", async () => {
  const h = await harness().open();
  h.element({ k: "a", v: 5 }, 10).element({ k: "b", v: 5 }, 11).element({ k: "a", v: 20 }, 12);
  h.element2(["*", 10]).element2(["b", 1]);
  h.watermark(100);
  assert.deepEqual(h.records(), [], "the broadcast input's watermark is still -Infinity");
  h.watermark2(100);
  assert.deepEqual(h.timestamped(), [["a@10:5", 10]]);
});

Deno.test("keyed broadcast process: broadcast state, keyed state and timers survive a restore", async () => {
  const first = await harness().open();
  first.element2(["*", 10]).element({ k: "a", v: 7 }, 10).element({ k: "b", v: 70 }, 20);
  const second = await harness().open(await first.snapshot());
  second.element({ k: "c", v: 9 }, 30).element2(["b", 100]);
  second.watermark(50).watermark2(50);
  assert.deepEqual(second.records(), ["a@10:7", "b@20:70", "c@30:9"]);
});
