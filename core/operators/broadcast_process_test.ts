import assert from "node:assert/strict";
import type { BroadcastProcessFunction } from "../api/co_functions.ts";
import { MapStateDescriptor } from "../api/state.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { BroadcastProcessOperator } from "./broadcast_process.ts";

const stopWords = new MapStateDescriptor<string, boolean>("stop-words");

/** Drops stop words; the broadcast input adds ("+w") or removes ("-w") them. */
const filter: BroadcastProcessFunction<string, string, string> = {
  processElement(w, ctx, out) {
    if (!ctx.getBroadcastState(stopWords).contains(w)) out.collect(w);
  },
  processBroadcastElement(rule, ctx) {
    const state = ctx.getBroadcastState(stopWords);
    if (rule.startsWith("+")) state.put(rule.slice(1), true);
    else state.remove(rule.slice(1));
  },
};

const harness = () => new OperatorHarness(new BroadcastProcessOperator(filter, [stopWords]));

Deno.test("broadcast process: records see the rules the broadcast input put so far", async () => {
  const h = await harness().open();
  h.element("the", 1).element2("+the").element("the").element("cat", 3);
  h.element2("+cat").element2("-the").element("cat").element("the");
  assert.deepEqual(h.timestamped(), [["the", 1], ["cat", 3], ["the", undefined]]);
});

Deno.test("broadcast process: records get a read-only view; undeclared states are refused", async () => {
  const h = await new OperatorHarness(
    new BroadcastProcessOperator<string, string, unknown>({
      processElement(w, ctx, out) {
        const view = ctx.getBroadcastState(stopWords);
        out.collect(["put" in view, "remove" in view, view.isEmpty()]);
        if (w === "other") ctx.getBroadcastState(new MapStateDescriptor("typo"));
      },
      processBroadcastElement() {},
    }, [stopWords]),
  ).open();
  h.element("w");
  assert.deepEqual(h.records(), [[false, false, true]]);
  assert.throws(
    () => h.element("other"),
    /broadcast state 'typo' was not declared: pass its descriptor to broadcast\(...\) \(declared: 'stop-words'\)/,
  );
});

Deno.test("broadcast state comes back from a snapshot, the same copy at any parallelism", async () => {
  const first = await harness().open();
  first.element2("+a").element2("+b").element2("-a").element2("+c");
  const snapshot = await first.snapshot();
  const restored = await harness().open(snapshot);
  restored.element("a").element("b").element("c").element("d");
  assert.deepEqual(restored.records(), ["a", "d"]);

  // Rescaled from 2 subtasks to 3: every new subtask gets old subtask 0's copy.
  const second = new OperatorHarness(new BroadcastProcessOperator(filter, [stopWords]), {
    subtaskIndex: 1,
    parallelism: 2,
  });
  await second.open();
  second.element2("+x"); // a copy that differs: old subtask 1's is not the one restored
  const other = await second.snapshot();
  for (let subtask = 0; subtask < 3; subtask++) {
    const h = await new OperatorHarness(new BroadcastProcessOperator(filter, [stopWords]), {
      subtaskIndex: subtask,
      parallelism: 3,
    }).open([snapshot, other]);
    h.element("b").element("x");
    assert.deepEqual(h.records(), ["x"], `subtask ${subtask}`);
  }
});
