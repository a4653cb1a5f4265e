/**
 * Test scripts for window operators: a keyed sum as each fold kind builds
 * it, and pseudo-random event-time scripts with disorder, late elements and
 * watermarks.
 * @module
 */

import { OutputTag } from "../../core/api/functions.ts";
import type { AggregateFunction } from "../../core/api/state.ts";
import type { Window } from "../../core/api/window.ts";
import type { WindowFold } from "../../core/operators/window_contents.ts";
import type { WindowOperatorSpec } from "../../core/operators/window_operator.ts";
import type { TimeWindow } from "../../core/windows/time_window.ts";
import type { WindowAssigner } from "../../core/windows/window_assigners.ts";

export type Ev = { k: number; v: number };
export type Row = [key: number, start: number, end: number, result: number];

/** A sum with an object accumulator (so snapshots must copy it). */
export const sum = (merge: boolean): AggregateFunction<Ev, { s: number }, number> => ({
  createAccumulator: () => ({ s: 0 }),
  add: (e, acc) => {
    acc.s += e.v;
    return acc;
  },
  getResult: (acc) => acc.s,
  ...(merge ? { merge: (a: { s: number }, b: { s: number }) => ({ s: a.s + b.s }) } : {}),
});

export const late = new OutputTag<Ev>("late");

/** A window spec as the windowed stream builds it; rows carry the key, window and result. */
export function spec(
  assigner: WindowAssigner<unknown, Window>,
  fold: "reduce" | "merge" | "add" | "list",
) {
  const agg = sum(fold === "merge");
  const windowFold: WindowFold = fold === "reduce"
    ? { kind: "reduce", fn: (a, b) => ({ k: (a as Ev).k, v: (a as Ev).v + (b as Ev).v }) }
    : fold === "list"
    ? { kind: "list" }
    : { kind: "aggregate", fn: agg as AggregateFunction<unknown, unknown, unknown> };
  const result = (input: unknown) =>
    fold === "reduce"
      ? (input as Ev).v
      : fold === "list"
      ? (input as Ev[]).reduce((s, e) => s + e.v, 0)
      : agg.getResult(input as { s: number });
  return {
    assigner,
    trigger: assigner.defaultTrigger(),
    keySelector: (e: unknown) => (e as Ev).k,
    fold: windowFold,
    fn: {
      process(key, input, ctx, out) {
        const w = ctx.window as TimeWindow;
        out.collect([key as number, w.start, w.end, result(input)] satisfies Row);
      },
    },
    allowedLatenessMs: 0,
    lateDataTag: late as OutputTag<unknown>,
  } satisfies WindowOperatorSpec;
}

/** Deterministic pseudo-random numbers in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Step = { ev: Ev; ts: number } | { watermark: number };

/** Elements up to `disorder` ms out of order (some later than the watermark), watermarks between. */
export function script(seed: number, n: number, disorder: number): Step[] {
  const r = random(seed);
  const steps: Step[] = [];
  let time = -50; // negative timestamps too
  let watermark = -Infinity;
  for (let i = 0; i < n; i++) {
    time += Math.floor(r() * 3);
    steps.push({
      ev: { k: Math.floor(r() * 7), v: 1 + Math.floor(r() * 9) },
      ts: time - Math.floor(r() * disorder),
    });
    if (r() < 0.1) {
      watermark = Math.max(watermark, time - Math.floor(r() * disorder));
      steps.push({ watermark });
    }
  }
  steps.push({ watermark: Number.MAX_SAFE_INTEGER });
  return steps;
}

/** Rows as sorted JSON texts: equal multisets compare equal. */
export const byValue = (rows: unknown[]): string[] => rows.map((r) => JSON.stringify(r)).sort();
