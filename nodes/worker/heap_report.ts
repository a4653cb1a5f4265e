/**
 * Peak heap figures of one isolate, for finding what a process's memory is
 * made of: the process's RSS sums every isolate (the worker's main thread and
 * each slot, a Web Worker) and what they allocate outside the heap. With
 * `SPATE_HEAP_REPORT=DIR` set, an isolate samples its V8 heap every 50 ms
 * while it works and writes `DIR/heap-<label>-<time>.json`: the peak of each
 * heap space (committed and used), of the whole heap and of off-heap memory.
 * @module
 */

import { getHeapSpaceStatistics, getHeapStatistics } from "node:v8";

/** The directory reports go to, or undefined when reporting is off. */
export function heapReportDir(): string | undefined {
  try {
    return Deno.env.get("SPATE_HEAP_REPORT") || undefined;
  } catch {
    return undefined; // no env permission: never report
  }
}

/** How often an isolate samples its heap while reporting. */
const SAMPLE_MS = 50;

export interface HeapSampler {
  /** Starts sampling (again); a no-op when on. */
  start(): void;
  /** Stops sampling and writes the peaks; a no-op when off. */
  stop(): void;
}

const off: HeapSampler = { start() {}, stop() {} };
let written = 0;

/** A sampler of this isolate labelled `label`: does nothing unless `SPATE_HEAP_REPORT` is set. */
export function heapSampler(label: string, dir = heapReportDir()): HeapSampler {
  if (dir === undefined) return off;
  let timer: ReturnType<typeof setInterval> | undefined;
  let peaks: Record<string, number> = {};
  const peak = (name: string, v: number) => {
    if (!(v <= (peaks[name] ?? 0))) peaks[name] = v;
  };
  const sample = () => {
    const h = getHeapStatistics();
    peak("heapTotal", h.total_heap_size);
    peak("heapUsed", h.used_heap_size);
    peak("malloced", h.malloced_memory);
    peak("external", h.external_memory);
    for (const s of getHeapSpaceStatistics()) {
      if (s.space_size === 0) continue;
      peak(`${s.space_name}.size`, s.space_size);
      peak(`${s.space_name}.used`, s.space_used_size);
    }
    peak("rss", Deno.memoryUsage().rss);
  };
  return {
    start() {
      if (timer !== undefined) return;
      peaks = {};
      sample();
      timer = setInterval(sample, SAMPLE_MS);
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      sample();
      const mb = Object.fromEntries(
        Object.entries(peaks).map(([k, v]) => [k, Math.round(v / 1e5) / 10]),
      );
      Deno.mkdirSync(dir, { recursive: true });
      const path = `${dir}/heap-${label}-${Date.now()}-${written++}.json`;
      Deno.writeTextFileSync(path, JSON.stringify({ label, peakMB: mb }, null, 1));
    },
  };
}
