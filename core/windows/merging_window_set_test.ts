import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import { MergingWindowSet } from "./merging_window_set.ts";
import { EventTimeSessionWindows } from "./session_windows.ts";
import { TimeWindow } from "./time_window.ts";

const w = (start: number, end: number) => new TimeWindow(start, end);

/** Adds windows and returns what happened, as strings: the result, then each merge. */
function add(set: MergingWindowSet, window: TimeWindow): string[] {
  const merges: string[] = [];
  const result = set.addWindow(window, (mergeResult, merged, stateWindow, mergedStates) => {
    merges.push(
      `merge ${merged.join(" ")} -> ${mergeResult}, state ${stateWindow} <- [${
        mergedStates.join(" ")
      }]`,
    );
  });
  return [`${result}`, ...merges];
}

function mapping(set: MergingWindowSet): string[] {
  return set.windows().map((x) => `${x} state ${set.getStateWindow(x)}`).sort();
}

Deno.test("sessions of gap 5: events 1, 3, 10, 7 merge into [1, 15), state stays in [1, 6)", () => {
  const assigner = EventTimeSessionWindows.withGap(5);
  const set = new MergingWindowSet(assigner);
  const event = (ts: number) =>
    add(set, assigner.assignWindows("e", ts, { currentProcessingTime: 0 })[0]);
  assert.deepEqual(event(1), ["[1, 6)"]);
  assert.deepEqual(event(3), ["[1, 8)", "merge [1, 6) -> [1, 8), state [1, 6) <- []"]);
  assert.deepEqual(event(10), ["[10, 15)"]);
  assert.deepEqual(mapping(set), ["[1, 8) state [1, 6)", "[10, 15) state [10, 15)"]);
  assert.deepEqual(event(7), [
    "[1, 15)",
    "merge [1, 8) [10, 15) -> [1, 15), state [1, 6) <- [[10, 15)]",
  ]);
  assert.deepEqual(mapping(set), ["[1, 15) state [1, 6)"]);
  // Inside the session: nothing merges, nothing moves.
  assert.deepEqual(event(2), ["[1, 15)"]);
  assert.deepEqual(mapping(set), ["[1, 15) state [1, 6)"]);
});

Deno.test("merging window set: Flink's incremental merging case", () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(3));
  assert.deepEqual(add(set, w(0, 4)), ["[0, 4)"]);
  assert.deepEqual(add(set, w(0, 4)), ["[0, 4)"]);
  assert.deepEqual(add(set, w(3, 5)), ["[0, 5)", "merge [0, 4) -> [0, 5), state [0, 4) <- []"]);
  assert.deepEqual(add(set, w(4, 6)), ["[0, 6)", "merge [0, 5) -> [0, 6), state [0, 4) <- []"]);
  for (const inside of [w(1, 4), w(0, 4), w(3, 5), w(4, 6)]) {
    assert.deepEqual(add(set, inside), ["[0, 6)"]);
  }
  assert.deepEqual(add(set, w(11, 14)), ["[11, 14)"]);
  assert.deepEqual(add(set, w(10, 13)), [
    "[10, 14)",
    "merge [11, 14) -> [10, 14), state [11, 14) <- []",
  ]);
  assert.deepEqual(add(set, w(12, 15)), [
    "[10, 15)",
    "merge [10, 14) -> [10, 15), state [11, 14) <- []",
  ]);
  assert.deepEqual(mapping(set), ["[0, 6) state [0, 4)", "[10, 15) state [11, 14)"]);
  set.retireWindow(w(0, 6));
  assert.equal(set.getStateWindow(w(0, 6)), undefined);
  assert.deepEqual(mapping(set), ["[10, 15) state [11, 14)"]);
});

Deno.test("merging window set: a new window covering several merges them all into one state window", () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(3));
  add(set, w(1, 3));
  add(set, w(5, 8));
  add(set, w(10, 13));
  assert.deepEqual(add(set, w(0, 13)), [
    "[0, 13)",
    "merge [1, 3) [5, 8) [10, 13) -> [0, 13), state [1, 3) <- [[5, 8) [10, 13)]",
  ]);
  assert.deepEqual(mapping(set), ["[0, 13) state [1, 3)"]);
});

Deno.test("merging window set: a window identical to a merged one keeps its state window", () => {
  // A dynamic gap can produce exactly a merged window; Flink would remap it to itself.
  const sessions = EventTimeSessionWindows.withDynamicGap((gap: number) => gap);
  const set = new MergingWindowSet(sessions);
  add(set, w(0, 4));
  add(set, w(2, 6));
  assert.deepEqual(add(set, w(0, 6)), ["[0, 6)"]);
  assert.deepEqual(mapping(set), ["[0, 6) state [0, 4)"]);
});

Deno.test("merging window set: snapshot is stored as plain data and restores the mapping", () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(5));
  add(set, w(1, 6));
  add(set, w(3, 8));
  add(set, w(20, 25));
  const snapshot = set.snapshot();
  // Keyed state stores it through structured clone or CBOR: the windows' keys stay behind.
  const plain = [
    { window: { start: 1, end: 8 }, stateWindow: { start: 1, end: 6 } },
    { window: { start: 20, end: 25 }, stateWindow: { start: 20, end: 25 } },
  ];
  assert.deepEqual(structuredClone(snapshot), plain);
  assert.deepEqual(decode(encode(snapshot)), plain);
  const restored = new MergingWindowSet(
    EventTimeSessionWindows.withGap(5),
    structuredClone(snapshot),
  );
  assert.equal(restored.size, 2);
  assert.deepEqual(mapping(restored), mapping(set));
  assert.deepEqual(add(restored, w(7, 12)), [
    "[1, 12)",
    "merge [1, 8) -> [1, 12), state [1, 6) <- []",
  ]);
});

Deno.test("merging window set: retiring a window not in flight is an error naming it", () => {
  const set = new MergingWindowSet(EventTimeSessionWindows.withGap(5));
  add(set, w(1, 6));
  assert.throws(
    () => set.retireWindow(w(1, 7)),
    /window \[1, 7\) is not in the merging window set: retire only windows addWindow returned/,
  );
  set.retireWindow(w(1, 6));
  assert.equal(set.size, 0);
});

Deno.test("merging window set: the sessions fast path does what the generic path does, over 2,000 random events", () => {
  const sessions = EventTimeSessionWindows.withGap(5);
  // The same assigner without the fast path's promise: the set shows it every window.
  const generic = { mergeWindows: sessions.mergeWindows.bind(sessions) };
  const fast = new MergingWindowSet(sessions);
  const slow = new MergingWindowSet(generic);
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 2000; i++) {
    const ts = Math.floor(next() * 3000);
    const window = sessions.assignWindows("e", ts, { currentProcessingTime: 0 })[0];
    assert.deepEqual(add(fast, window), add(slow, window), `event ${i} at ${ts}`);
    if (next() < 0.05 && fast.size > 0) {
      // Retire one (a fired session), the same in both.
      const victim = fast.windows()[Math.floor(next() * fast.size)];
      fast.retireWindow(victim);
      slow.retireWindow(victim);
    }
  }
  assert.deepEqual(mapping(fast), mapping(slow));
  assert.ok(fast.size > 50, `${fast.size} sessions in flight`);
});

Deno.test("merging window set: a stored set out of order (before the fast path kept one) is put in order", () => {
  const sessions = EventTimeSessionWindows.withGap(5);
  const stored = [
    { window: { start: 20, end: 25 }, stateWindow: { start: 20, end: 25 } },
    { window: { start: 1, end: 8 }, stateWindow: { start: 1, end: 6 } },
  ];
  const set = new MergingWindowSet(sessions, stored);
  assert.equal(`${set.getStateWindow(w(1, 8))}`, "[1, 6)");
  assert.deepEqual(add(set, w(7, 12)), ["[1, 12)", "merge [1, 8) -> [1, 12), state [1, 6) <- []"]);
  assert.deepEqual(add(set, w(12, 20)), [
    "[1, 25)",
    "merge [1, 12) [20, 25) -> [1, 25), state [1, 6) <- [[20, 25)]",
  ]);
  // The state value stays in order through changes: a set made from it again is not re-checked.
  assert.deepEqual(add(set, w(40, 45)), ["[40, 45)"]);
  assert.deepEqual(add(set, w(30, 35)), ["[30, 35)"]);
  const again = new MergingWindowSet(sessions, set.snapshot());
  assert.deepEqual(again.snapshot().map((e) => e.window.start), [1, 30, 40]);
  assert.equal(`${again.getStateWindow(w(30, 35))}`, "[30, 35)");
});
