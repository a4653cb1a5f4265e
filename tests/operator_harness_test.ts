/**
 * The operator harness runs operators through the runtime's own chain wiring:
 * these tests check that its parameters reach the operator as a task's would
 * (subtask, parallelism, key groups, backend, checkpointing) and that its
 * snapshots restore across a rescale as a task's checkpoint does.
 */
import assert from "node:assert/strict";
import type { KeyedProcessFunction } from "../core/api/functions.ts";
import { type ValueState, ValueStateDescriptor } from "../core/api/state.ts";
import { KeyedProcessOperator } from "../core/operators/keyed_process.ts";
import { MapOperator } from "../core/operators/map.ts";
import { DiskStateBackend } from "../core/state/disk_state_backend.ts";
import { HeapStateBackend } from "../core/state/heap_state_backend.ts";
import { assignToKeyGroup, keyGroupRangeForSubtask } from "../core/state/key_groups.ts";
import { errorOperator } from "../nodes/worker/operator_chain.ts";
import { OperatorHarness } from "./_helpers/operator_harness.ts";

/** Counts per key and emits [key, count] on every record. */
function counter(): KeyedProcessFunction<string, string, [string, number]> {
  const d = new ValueStateDescriptor<number>("count");
  let state: ValueState<number>;
  return {
    open(ctx) {
      state = ctx.getState(d);
    },
    processElement(key, _ctx, out) {
      const n = (state.value() ?? 0) + 1;
      state.update(n);
      out.collect([key, n]);
    },
  };
}

const counting = (options: ConstructorParameters<typeof OperatorHarness>[1]) =>
  new OperatorHarness(new KeyedProcessOperator(counter(), (k: string) => k), {
    keyed: true,
    ...options,
  });

Deno.test("operator harness: subtask, parallelism, key groups and checkpointing reach the context", () => {
  const h = counting({ subtaskIndex: 2, parallelism: 3, maxParallelism: 64, checkpointing: true });
  assert.equal(h.ctx.subtaskIndex, 2);
  assert.equal(h.ctx.parallelism, 3);
  assert.equal(h.ctx.maxParallelism, 64);
  assert.equal(h.ctx.checkpointing, true);
  assert.deepEqual(h.ctx.keyedBackend!.keyGroupRange, keyGroupRangeForSubtask(64, 3, 2));
  assert.ok(h.ctx.keyedBackend instanceof HeapStateBackend);
  assert.ok(h.ctx.timerService !== undefined);
  const plain = new OperatorHarness(new MapOperator((x: number) => x));
  assert.equal(plain.ctx.keyedBackend, undefined, "an operator without a key has no backend");
  assert.equal(plain.ctx.checkpointing, false);
});

Deno.test("operator harness: keyed state on the disk backend survives a snapshot and a rescale", async () => {
  const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
  const first = await counting({ stateBackend: "disk" }).open();
  assert.ok(first.ctx.keyedBackend instanceof DiskStateBackend);
  for (const k of keys) first.element(k).element(k);
  const snapshot = await first.snapshot();
  first.dispose();
  // Restored at parallelism 2, each subtask holds exactly the keys of its key groups.
  const seen: string[] = [];
  for (const subtaskIndex of [0, 1]) {
    const h = await counting({ stateBackend: "disk", subtaskIndex, parallelism: 2 }).open(snapshot);
    const { start, end } = h.ctx.keyedBackend!.keyGroupRange;
    const mine = keys.filter((k) => {
      const g = assignToKeyGroup(k, 128);
      return g >= start && g <= end;
    });
    for (const k of mine) h.element(k);
    assert.deepEqual(h.records(), mine.map((k) => [k, 3]), `subtask ${subtaskIndex}`);
    seen.push(...mine);
    h.dispose();
  }
  assert.deepEqual(seen.sort(), [...keys].sort());
});

Deno.test("operator harness: a failing operator's error is tagged with its name, as in a task", async () => {
  const h = await new OperatorHarness(
    new MapOperator((x: number) => {
      if (x < 0) throw new RangeError(`negative: ${x}`);
      return x;
    }),
  ).open();
  let thrown: unknown;
  assert.throws(() => {
    try {
      h.element(-1);
    } catch (e) {
      thrown = e;
      throw e;
    }
  }, /negative: -1/);
  assert.equal(errorOperator(thrown), "op under test");
});

Deno.test("operator harness: state with no key cannot be restored into an operator without one", async () => {
  const keyed = await counting({}).open();
  keyed.element("a");
  const snapshot = await keyed.snapshot();
  const plain = new OperatorHarness(new MapOperator((x: number) => x));
  await assert.rejects(plain.open(snapshot), /has keyed state but no key/);
});
