/**
 * Runs of window operators over test scripts (`window_scripts.ts`) in the
 * operator harness: whole, and snapshotted part way then restored at
 * another parallelism.
 * @module
 */

import assert from "node:assert/strict";
import { assignToKeyGroup, keyGroupRangeForSubtask } from "../../core/state/key_groups.ts";
import type { StreamOperator } from "../../core/operators/stream_operator.ts";
import { type HarnessSnapshot, OperatorHarness } from "./operator_harness.ts";
import type { Row, Step } from "./window_scripts.ts";

/** `op`, keyed, fed `steps`. */
export async function run(op: StreamOperator<unknown, unknown>, steps: Step[]) {
  const h = await new OperatorHarness(op, { keyed: true }).open();
  for (const s of steps) "ev" in s ? h.element(s.ev, s.ts) : h.watermark(s.watermark);
  return h;
}

/**
 * Runs `steps`, snapshotting after `at` of them, and restores at
 * `parallelism` subtasks (made by `restoreAs`), each fed the rest of the
 * steps of its key groups. Returns every row and the restored operators.
 */
export async function restoredRun(
  make: () => StreamOperator<unknown, unknown>,
  steps: Step[],
  at: number,
  parallelism: number,
  restoreAs: () => StreamOperator<unknown, unknown> = make,
): Promise<{ rows: Row[]; restored: StreamOperator<unknown, unknown>[] }> {
  const first = await run(make(), steps.slice(0, at));
  const snapshot: HarnessSnapshot = await first.snapshot();
  const rows = first.records() as Row[];
  const restored: StreamOperator<unknown, unknown>[] = [];
  // The restored subtasks start from the last watermark (as sources re-emit it), not from none.
  const watermark = steps.slice(0, at).findLast((s) => "watermark" in s) as { watermark: number };
  for (let i = 0; i < parallelism; i++) {
    const h = await new OperatorHarness(restoreAs(), { keyed: true, subtaskIndex: i, parallelism })
      .open(snapshot);
    const keyGroupRange = h.ctx.keyedBackend!.keyGroupRange;
    assert.deepEqual(keyGroupRange, keyGroupRangeForSubtask(128, parallelism, i));
    h.watermark(watermark.watermark);
    for (const s of steps.slice(at)) {
      if ("watermark" in s) h.watermark(s.watermark);
      else {
        const group = assignToKeyGroup(s.ev.k, 128);
        if (group >= keyGroupRange.start && group <= keyGroupRange.end) h.element(s.ev, s.ts);
      }
    }
    restored.push(h.op);
    rows.push(...h.records() as Row[]);
  }
  return { rows, restored };
}
