import assert from "node:assert/strict";
import type { ProcessJoinFunction } from "../api/co_functions.ts";
import { OutputTag } from "../api/functions.ts";
import { OperatorHarness } from "../../tests/_helpers/operator_harness.ts";
import { IntervalJoinOperator, type JoinBounds } from "./interval_join.ts";

type Ev = { k: string; id: string };
const evens = new OutputTag<string>("evens");

/** "left/right l=<ts> r=<ts> t=<ts>"; pairs at an even time also go to a side output. */
const describe: ProcessJoinFunction<Ev, Ev, string> = {
  processElement(l, r, ctx, out) {
    const s = `${l.id}/${r.id} l=${ctx.leftTimestamp()} r=${ctx.rightTimestamp()}`;
    out.collect(`${s} t=${ctx.timestamp()}`);
    if (ctx.timestamp() % 2 === 0) ctx.output(evens, s);
  },
};

function harness(bounds: Partial<JoinBounds> = {}) {
  const b = { lowerMs: -2, upperMs: 3, lowerInclusive: true, upperInclusive: true, ...bounds };
  return new OperatorHarness(
    new IntervalJoinOperator(describe, (e: Ev) => e.k, (e: Ev) => e.k, b),
    { keyed: true },
  );
}
const join = (bounds: Partial<JoinBounds> = {}) => harness(bounds).open();

/** Rights at 7, 8, 13 and 14 and a right of another key, then a left at 10. */
function script(h: Awaited<ReturnType<typeof join>>) {
  for (const ts of [7, 8, 13, 14]) h.element2({ k: "a", id: `r${ts}` }, ts);
  h.element2({ k: "b", id: "other" }, 10);
  h.element({ k: "a", id: "l10" }, 10);
  h.element2({ k: "a", id: "r11" }, 11); // joins the buffered left
}

Deno.test("interval join: pairs within inclusive bounds, in both arrival orders, at the later time", async () => {
  const h = await join();
  script(h);
  assert.deepEqual(h.timestamped(), [
    ["l10/r8 l=10 r=8 t=10", 10],
    ["l10/r13 l=10 r=13 t=13", 13],
    ["l10/r11 l=10 r=11 t=11", 11],
  ]);
  assert.deepEqual(h.side("evens"), ["l10/r8 l=10 r=8"]);
});

Deno.test("interval join: exclusive bounds leave out the pairs exactly at a bound", async () => {
  const lower = await join({ lowerInclusive: false });
  script(lower);
  assert.deepEqual(lower.records(), ["l10/r13 l=10 r=13 t=13", "l10/r11 l=10 r=11 t=11"]);
  const upper = await join({ upperInclusive: false });
  script(upper);
  assert.deepEqual(upper.records(), ["l10/r8 l=10 r=8 t=10", "l10/r11 l=10 r=11 t=11"]);
});

Deno.test("interval join: late records are dropped; buffers and timers are gone once the watermark passes", async () => {
  const h = await join();
  h.element2({ k: "a", id: "r21" }, 21);
  h.watermark(20).watermark2(20);
  h.element({ k: "a", id: "l19" }, 19); // late: 19 < 20 (it would join r21)
  h.element({ k: "a", id: "l20" }, 20); // at the watermark: on time
  assert.deepEqual(h.records(), ["l20/r21 l=20 r=21 t=21"]);
  h.watermark(23).watermark2(23); // l20's last partner (23) and r21's (23) are behind
  const snapshot = await h.snapshot();
  // A checkpoint writes no keyed state or timers for an operator that holds none.
  assert.deepEqual(snapshot.state.keyed?.keyGroups ?? [], [], "both buffers are empty");
  assert.deepEqual(snapshot.state.timers ?? [], []);
});

Deno.test("interval join: late records of each input go to that input's late side output when set", async () => {
  const h = await join({ leftLateTag: "late-left", rightLateTag: "late-right" });
  h.watermark(20).watermark2(20);
  h.element({ k: "a", id: "l19" }, 19);
  h.element2({ k: "a", id: "r18" }, 18);
  h.element({ k: "a", id: "l20" }, 20); // on time
  assert.deepEqual(h.side("late-left"), [{ k: "a", id: "l19" }]);
  assert.deepEqual(h.side("late-right"), [{ k: "a", id: "r18" }]);
  // A late record keeps its own timestamp on the side output.
  assert.deepEqual(
    h.emitted.flatMap((e) => e.kind === "side" ? [e.timestamp] : []),
    [19, 18],
  );
  assert.deepEqual(h.records(), []);
});

Deno.test("interval join: a buffered record still waits while a partner may come", async () => {
  const h = await join();
  h.element({ k: "a", id: "l10" }, 10);
  h.watermark(12).watermark2(12); // 12 < 10 + 3: l10 stays
  h.element2({ k: "a", id: "r13" }, 13);
  const restored = await harness().open(await h.snapshot());
  restored.element2({ k: "a", id: "r12" }, 12);
  assert.deepEqual(h.records(), ["l10/r13 l=10 r=13 t=13"]);
  assert.deepEqual(restored.records(), ["l10/r12 l=10 r=12 t=12"]);
});

Deno.test("interval join: a record without a timestamp fails, naming the operator", async () => {
  const h = await join();
  assert.throws(
    () => h.element({ k: "a", id: "untimed" }),
    /interval join 'op under test': a record of the left input has no timestamp; .*assignTimestampsAndWatermarks\(\)/,
  );
  assert.throws(() => h.element2({ k: "a", id: "untimed" }), /of the right input has no timestamp/);
});
