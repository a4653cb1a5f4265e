import assert from "node:assert/strict";
import { EventTimeSessionWindows } from "../windows/session_windows.ts";
import { TumblingEventTimeWindows } from "../windows/tumbling_windows.ts";
import type { Window } from "../api/window.ts";
import type { WindowAssigner } from "../windows/window_assigners.ts";
import { byValue, type Ev, script, spec } from "../../tests/_helpers/window_scripts.ts";
import { restoredRun, run } from "../../tests/_helpers/window_runs.ts";
import { isSessionTableSpec, SessionWindowOperator } from "./session_window_operator.ts";
import { WindowOperator } from "./window_operator.ts";
import { windowOperatorFor } from "./window_operators.ts";

const sessions: [string, () => WindowAssigner<unknown, Window>][] = [
  ["gap 4", () => EventTimeSessionWindows.withGap(4) as WindowAssigner<unknown, Window>],
  [
    "dynamic gap 1-8",
    () =>
      EventTimeSessionWindows.withDynamicGap<Ev>((e) => 1 + (e.v % 8)) as WindowAssigner<
        unknown,
        Window
      >,
  ],
];

for (const [name, assigner] of sessions) {
  for (const fold of ["list", "reduce", "merge"] as const) {
    Deno.test(`session windows (${name}, ${fold}) in the session table equal the general operator's, in the same order`, async () => {
      for (const [seed, disorder] of [[1, 1], [2, 8], [3, 30]]) {
        const steps = script(seed, 600, disorder);
        const general = await run(new WindowOperator(spec(assigner(), fold)), steps);
        const tabled = await run(windowOperatorFor(spec(assigner(), fold)), steps);
        assert.ok((tabled.op as SessionWindowOperator).tabled);
        assert.ok(general.records().length > 50, "the script fires sessions");
        // Firing order is the general operator's (by end, then by the last change) at any disorder.
        assert.deepEqual(tabled.timestamped(), general.timestamped());
        if (disorder === 30) {
          assert.ok(general.side("late").length > 0, "the script has late elements");
        }
        assert.deepEqual(tabled.side("late"), general.side("late"));
        assert.deepEqual(tabled.watermarks(), general.watermarks());
      }
    });

    Deno.test(`session windows (${name}, ${fold}): the end of input (an infinite watermark) fires every session`, async () => {
      const steps = script(5, 200, 8).filter((s) => !("watermark" in s));
      const general = await run(new WindowOperator(spec(assigner(), fold)), steps);
      const tabled = await run(windowOperatorFor(spec(assigner(), fold)), steps);
      general.watermark(Infinity);
      tabled.watermark(Infinity);
      assert.ok(general.records().length > 10);
      assert.deepEqual(tabled.timestamped(), general.timestamped());
    });
  }
}

Deno.test("the session table only where the general operator's results can be had without timers", () => {
  const s = spec(EventTimeSessionWindows.withGap(5) as never, "list");
  assert.ok(isSessionTableSpec(s));
  assert.equal(isSessionTableSpec({ ...s, allowedLatenessMs: 5 }), false);
  assert.equal(
    isSessionTableSpec({ ...s, assigner: TumblingEventTimeWindows.of(5) as never }),
    false,
  );
  assert.equal(
    isSessionTableSpec({ ...s, evictor: { evictBefore() {}, evictAfter() {} } as never }),
    false,
  );
  assert.ok(
    windowOperatorFor(spec(TumblingEventTimeWindows.of(5), "add")).constructor !==
      SessionWindowOperator,
  );
});

Deno.test("sessions are checkpointed by key group: restored at 1, 2 and 3 subtasks they give the uninterrupted results", async () => {
  const steps = script(7, 400, 3);
  for (const fold of ["list", "merge"] as const) {
    const make = () => windowOperatorFor(spec(EventTimeSessionWindows.withGap(4) as never, fold));
    const whole = (await run(make(), steps)).records();
    for (const parallelism of [1, 2, 3]) {
      for (const at of [101, 257]) {
        const { rows, restored } = await restoredRun(make, steps, at, parallelism);
        assert.ok(restored.every((op) => (op as SessionWindowOperator).tabled));
        assert.deepEqual(byValue(rows), byValue(whole), `${fold} at ${parallelism} from ${at}`);
      }
    }
  }
});

Deno.test("a checkpoint of the general window operator's sessions restores into the session operator (it runs as the general one)", async () => {
  const steps = script(11, 300, 4);
  const s = () => spec(EventTimeSessionWindows.withGap(4) as never, "list");
  const whole = (await run(new WindowOperator(s()), steps)).records();
  const { rows, restored } = await restoredRun(
    () => new WindowOperator(s()),
    steps,
    150,
    2,
    () => windowOperatorFor(s()),
  );
  assert.deepEqual(byValue(rows), byValue(whole));
  assert.ok(restored.some((op) => !(op as SessionWindowOperator).tabled));
});
