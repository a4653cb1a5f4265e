/**
 * The reference of `tests/_jobs/keyed_count.ts` and a reader of what its
 * exactly-once file sink committed. Key k counted 1..n_k gives the lines
 * "k,1" .. "k,n_k" whatever the order of events, so a run with failures must
 * commit exactly these lines (exactly-once) or at least these (at-least-once).
 * @module
 */

import assert from "node:assert/strict";
import { jobPath } from "./cli.ts";

/** What a run of the keyed-count job counts, where it writes, and how fast its source goes. */
export interface KeyedCountJob {
  readonly events: number;
  readonly keys?: number;
  /** Events per second over all subtasks (default: unlimited). */
  readonly rate?: number;
  /** The file sink's directory. */
  readonly out: string;
}

/**
 * `spate run` arguments for the keyed-count job in streaming mode: on the
 * cluster at `master` (the local cluster when undefined), with `flags`.
 */
export function keyedCountRun(
  master: string | undefined,
  flags: string[],
  job: KeyedCountJob,
): string[] {
  const args = ["--events", String(job.events), "--out", job.out];
  if (job.keys !== undefined) args.push("--keys", String(job.keys));
  if (job.rate !== undefined) args.push("--rate", String(job.rate));
  const cluster = master === undefined ? [] : ["--master", master];
  return [
    "run",
    jobPath("keyed_count.ts"),
    ...cluster,
    "--mode",
    "streaming",
    ...flags,
    "--",
    ...args,
  ];
}

/** The job's key for event i (the same formula as the job, and as slow_count.ts). */
export const keyOf = (i: number, keys: number) => `k${(i * 7919) % keys}`;

/** Each key's final count over `events` events (keyed_count.ts and slow_count.ts). */
export function expectedKeyCounts(events: number, keys: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    counts.set(keyOf(i, keys), (counts.get(keyOf(i, keys)) ?? 0) + 1);
  }
  return counts;
}

/** Every line an uninterrupted run commits. */
export function expectedCountLines(events: number, keys: number): Set<string> {
  const perKey = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    const k = keyOf(i, keys);
    perKey.set(k, (perKey.get(k) ?? 0) + 1);
  }
  const lines = new Set<string>();
  for (const [k, n] of perKey) for (let c = 1; c <= n; c++) lines.add(`${k},${c}`);
  return lines;
}

/** Committed lines (visible part files; in-progress files start with a dot) and how often each occurs. */
export async function committedLines(dir: string): Promise<Map<string, number>> {
  const lines = new Map<string, number>();
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".")) continue;
    for (const line of (await Deno.readTextFile(`${dir}/${e.name}`)).split("\n")) {
      if (line !== "") lines.set(line, (lines.get(line) ?? 0) + 1);
    }
  }
  return lines;
}

/** How committed output differs from the reference. */
export function compareCounts(lines: Map<string, number>, expected: Set<string>) {
  const missing = [...expected].filter((l) => !lines.has(l));
  let duplicated = 0;
  const unexpected: string[] = [];
  for (const [l, n] of lines) {
    if (expected.has(l)) duplicated += n - 1;
    else unexpected.push(l);
  }
  return { missing, duplicated, unexpected };
}

/**
 * Asserts that `dir` committed exactly `expected`: no line missing, none twice,
 * none unexpected (the first few of each named when not).
 */
export async function assertExactlyCommitted(
  dir: string,
  expected: Set<string>,
  what = "",
): Promise<void> {
  const { missing, duplicated, unexpected } = compareCounts(await committedLines(dir), expected);
  assert.deepEqual(
    { missing: missing.length, duplicated, unexpected: unexpected.length },
    { missing: 0, duplicated: 0, unexpected: 0 },
    `${what}missing ${missing.slice(0, 5)}, unexpected ${unexpected.slice(0, 5)}`,
  );
}
