import assert from "node:assert/strict";
import type { CoMapFunction } from "../api/co_functions.ts";
import { type ValueState, ValueStateDescriptor } from "../api/state.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { CoFlatMapOperator } from "./co_flat_map.ts";
import { CoMapOperator } from "./co_map.ts";

Deno.test("co-map applies map1 to input 1 and map2 to input 2, keeping timestamps and order", async () => {
  const calls: string[] = [];
  const h = await new OperatorHarness(
    new CoMapOperator<number, string, string>({
      open: () => void calls.push("open"),
      close: () => void calls.push("close"),
      map1: (n) => `n${n}`,
      map2: (s) => `s${s}`,
    }),
  ).open();
  h.element(1, 10).element2("a", 5).element(2).element2("b", 7);
  assert.deepEqual(h.timestamped(), [["n1", 10], ["sa", 5], ["n2", undefined], ["sb", 7]]);
  await h.op.close();
  assert.deepEqual(calls, ["open", "close"]);
});

Deno.test("co-flat-map emits any number of records per record of either input", async () => {
  const h = await new OperatorHarness(
    new CoFlatMapOperator<string, number, string>({
      flatMap1: (line, out) => line.split(" ").forEach((w) => out.collect(w)),
      flatMap2: (n, out) => {
        for (let i = 0; i < n; i++) out.collect(`#${i}`);
      },
    }),
  ).open();
  h.element("to be").element2(0).element2(2).element("");
  assert.deepEqual(h.records(), ["to", "be", "#0", "#1", ""]);
});

Deno.test("keyed co-map scopes state to each record's key by its own input's selector", async () => {
  let seen: ValueState<number>;
  const count: CoMapFunction<{ user: string }, [string, number], string> = {
    open(ctx) {
      seen = ctx.getState(new ValueStateDescriptor("seen", 0));
    },
    map1(e) {
      seen.update(seen.value()! + 1);
      return `${e.user}:${seen.value()}`;
    },
    map2([user, n]) {
      seen.update(seen.value()! + n);
      return `${user}:${seen.value()}`;
    },
  };
  const h = await new OperatorHarness(
    new CoMapOperator(count, [(e: { user: string }) => e.user, ([u]: [string, number]) => u]),
    { keyed: true },
  ).open();
  h.element({ user: "a" }).element2(["b", 10]).element2(["a", 5]).element({ user: "b" });
  assert.deepEqual(h.records(), ["a:1", "b:10", "a:6", "b:11"]);
});
