import assert from "node:assert/strict";
import { SlidingEventTimeWindows } from "../windows/sliding_windows.ts";
import { TumblingEventTimeWindows } from "../windows/tumbling_windows.ts";
import type { Window } from "../api/window.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import { byValue, script, spec } from "../../tests/_helpers/window_scripts.ts";
import { restoredRun, run } from "../../tests/_helpers/window_runs.ts";
import { AlignedWindowOperator, sliceShapeOf } from "./aligned_window_operator.ts";
import { windowOperatorFor } from "./window_operators.ts";
import { WindowOperator } from "./window_operator.ts";

const shapes: [
  string,
  () => WindowAssigner<unknown, Window>,
  "reduce" | "merge" | "add" | "list",
][] = [
  ["tumbling, elements (process)", () => TumblingEventTimeWindows.of(10), "list"],
  ["sliding, elements (process) in shared slices", () => SlidingEventTimeWindows.of(20, 5), "list"],
  ["tumbling, reduce", () => TumblingEventTimeWindows.of(10), "reduce"],
  ["tumbling with offset, aggregate", () => TumblingEventTimeWindows.of(10, 3), "add"],
  ["sliding, aggregate with merge (slices)", () => SlidingEventTimeWindows.of(20, 5), "merge"],
  ["sliding with offset, merge (slices)", () => SlidingEventTimeWindows.of(12, 4, -1), "merge"],
  [
    "sliding, aggregate without merge (a table per window)",
    () => SlidingEventTimeWindows.of(20, 5),
    "add",
  ],
  ["sliding, reduce (a table per window)", () => SlidingEventTimeWindows.of(9, 3), "reduce"],
];

for (const [name, assigner, fold] of shapes) {
  Deno.test(`aligned windows (${name}) equal the general operator's, in order for in-order input`, async () => {
    for (const [seed, disorder] of [[1, 1], [2, 8], [3, 30]]) {
      const steps = script(seed, 600, disorder);
      const general = await run(new WindowOperator(spec(assigner(), fold)), steps);
      const aligned = await run(windowOperatorFor(spec(assigner(), fold)), steps);
      assert.ok((aligned.op as AlignedWindowOperator).tabled);
      assert.ok(general.records().length > 50, "the script fires windows");
      if (disorder === 1) assert.deepEqual(aligned.timestamped(), general.timestamped());
      else {
        assert.deepEqual(byValue(aligned.timestamped()), byValue(general.timestamped()));
        if (disorder === 30) {
          assert.ok(general.side("late").length > 0, "the script has late elements");
        }
      }
      assert.deepEqual(aligned.side("late"), general.side("late"));
      assert.deepEqual(aligned.watermarks(), general.watermarks());
    }
  });
}

Deno.test("aligned windows only where the general operator's results can be had without timers", () => {
  const s = spec(SlidingEventTimeWindows.of(20, 5), "merge");
  assert.deepEqual(sliceShapeOf(s), { sizeMs: 20, slideMs: 5, offsetMs: 0 });
  assert.equal(
    sliceShapeOf({ ...s, assigner: SlidingEventTimeWindows.of(20, 6) as never }),
    undefined,
  );
  assert.equal(sliceShapeOf({ ...s, allowedLatenessMs: 5 }), undefined);
  assert.deepEqual(sliceShapeOf({ ...s, fold: { kind: "list" } }), {
    sizeMs: 20,
    slideMs: 5,
    offsetMs: 0,
  });
});

Deno.test("aligned window contents are checkpointed by key group: restored at 1, 2 and 3 subtasks they give the uninterrupted results", async () => {
  const steps = script(7, 400, 1);
  for (
    const [assigner, fold] of [
      [SlidingEventTimeWindows.of(20, 5), "merge"],
      [TumblingEventTimeWindows.of(10), "add"],
      [SlidingEventTimeWindows.of(20, 5), "list"],
    ] as const
  ) {
    const make = () => windowOperatorFor(spec(assigner, fold));
    const whole = (await run(make(), steps)).records();
    for (const parallelism of [1, 2, 3]) {
      for (const at of [101, 257]) {
        const { rows, restored } = await restoredRun(make, steps, at, parallelism);
        assert.ok(restored.every((op) => (op as AlignedWindowOperator).tabled));
        assert.deepEqual(
          byValue(rows),
          byValue(whole),
          `${assigner} at ${parallelism} from step ${at}`,
        );
      }
    }
  }
});

for (const fold of ["add", "list"] as const) {
  Deno.test(`a checkpoint of the general window operator (${fold}) restores into the aligned one (it runs as the general one)`, async () => {
    const steps = script(11, 300, 4);
    const s = () => spec(TumblingEventTimeWindows.of(10), fold);
    const whole = (await run(new WindowOperator(s()), steps)).records();
    const general = () => new WindowOperator(s());
    const { rows, restored } = await restoredRun(
      general,
      steps,
      150,
      2,
      () => windowOperatorFor(s()),
    );
    assert.deepEqual(byValue(rows), byValue(whole));
    // A subtask restored with pending windows of the general operator runs as it (others may not).
    assert.ok(restored.some((op) => !(op as AlignedWindowOperator).tabled));
  });
}
