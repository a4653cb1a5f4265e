/**
 * The clickstream of the window examples (`sessionization.ts`, `top_n.ts`):
 * a deterministic simulation of users who click in bursts and then pause,
 * delivered out of order, and the watermark strategy that goes with it.
 *
 * Each user clicks 1 to 15 times, 1 to 20 s apart, then pauses 1 to 10
 * minutes. Popular pages get more clicks. Each click arrives up to
 * `outOfOrdernessMs` after it happened; one in 50 arrives up to 3 minutes
 * after that (a phone that was offline). Everything comes from a PRNG
 * seeded with `seed`, so every process that builds the stream gets the
 * same clicks in the same order.
 * @module
 */

import { BoundedOutOfOrdernessWatermarks, WatermarkStrategy } from "spate";
import type { DataStream, ParameterTool, StreamExecutionEnvironment } from "spate";

/** One page view. */
export interface Click {
  readonly user: string;
  readonly page: string;
  /** When the click happened (event time), in ms since the epoch. */
  readonly ts: number;
}

/** Shape of the simulated clickstream. */
export interface ClickstreamOptions {
  /** Number of clicks. */
  readonly events: number;
  /** Number of users. */
  readonly users: number;
  /** How late an ordinary click may arrive (default 5000 ms). */
  readonly outOfOrdernessMs?: number;
  /** PRNG seed (default 42). */
  readonly seed?: number;
}

/** The site's pages, most popular first. */
export const PAGES: readonly string[] = [
  "/home",
  "/search",
  "/product/1",
  "/product/2",
  "/cart",
  "/product/3",
  "/deals",
  "/checkout",
  "/account",
  "/product/4",
  "/help",
  "/about",
];

/** The simulation starts at 2024-01-01 09:00:00 UTC. */
export const START_MS = Date.UTC(2024, 0, 1, 9);
const STRAGGLER_EVERY = 50;
const STRAGGLER_MAX_DELAY_MS = 180_000;

/** mulberry32: a small seeded PRNG with values in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The clicks in arrival order.
 *
 * @example
 * ```ts
 * import { clickstream } from "./clickstream.ts";
 * const clicks = clickstream({ events: 20, users: 3 });
 * clicks.length; // 20
 * ```
 */
export function clickstream(options: ClickstreamOptions): Click[] {
  const { events, users, outOfOrdernessMs = 5_000, seed = 42 } = options;
  if (!(Number.isSafeInteger(events) && events >= 0 && Number.isSafeInteger(users) && users > 0)) {
    throw new RangeError(`clickstream needs events >= 0 and users > 0, got ${events}, ${users}`);
  }
  const random = prng(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const width = String(users - 1).length;
  const names = Array.from({ length: users }, (_, u) => `u${String(u).padStart(width, "0")}`);
  const next = names.map(() => START_MS + int(0, 60) * 1000);
  const left = names.map(() => int(1, 15));
  const arrivals: { click: Click; arrivalMs: number; seq: number }[] = [];
  for (let seq = 0; seq < events; seq++) {
    let u = 0;
    for (let v = 1; v < users; v++) if (next[v] < next[u]) u = v;
    const page = PAGES[Math.floor(PAGES.length * random() ** 2)];
    const click = { user: names[u], page, ts: next[u] };
    const straggler = int(1, STRAGGLER_EVERY) === 1;
    const delayMs = straggler
      ? outOfOrdernessMs + int(1, STRAGGLER_MAX_DELAY_MS)
      : int(0, outOfOrdernessMs);
    arrivals.push({ click, arrivalMs: click.ts + delayMs, seq });
    if (--left[u] > 0) next[u] += int(1, 20) * 1000;
    else {
      next[u] += int(60, 600) * 1000;
      left[u] = int(1, 15);
    }
  }
  arrivals.sort((a, b) => a.arrivalMs - b.arrivalMs || a.seq - b.seq);
  return arrivals.map((a) => a.click);
}

/**
 * Bounded out-of-orderness watermarks for the clicks. `periodic` is
 * `WatermarkStrategy.forBoundedOutOfOrderness`: the watermark follows the
 * clicks every 200 ms of processing time, so which clicks come too late
 * depends on how fast the job runs. Otherwise the same generator is asked
 * for its watermark after every click: which clicks are late then depends on
 * their order alone, and every run gives the same output.
 *
 * @example
 * ```ts
 * import { clickWatermarks } from "./clickstream.ts";
 * const strategy = clickWatermarks(5_000, false);
 * ```
 */
export function clickWatermarks(
  outOfOrdernessMs: number,
  periodic: boolean,
): WatermarkStrategy<Click> {
  const strategy = periodic
    ? WatermarkStrategy.forBoundedOutOfOrderness<Click>(outOfOrdernessMs)
    : WatermarkStrategy.forGenerator<Click>(() => {
      const bounded = new BoundedOutOfOrdernessWatermarks<Click>(outOfOrdernessMs);
      return {
        onEvent(click, ts, out) {
          bounded.onEvent(click, ts, out);
          bounded.onPeriodicEmit(out);
        },
        onPeriodicEmit: (out) => bounded.onPeriodicEmit(out),
      };
    });
  return strategy.withTimestampAssigner((click) => click.ts);
}

/** The clicks an example reads, with the flags that shaped them. */
export interface ClickSource {
  readonly clicks: DataStream<Click>;
  readonly events: number;
  readonly users: number;
}

/**
 * The timestamped clicks both examples read, in one subtask, shaped by the
 * flags `--events` and `--users` (defaults given), `--out-of-orderness-ms`
 * (5000), `--seed` (42) and `--periodic` (periodic watermarks instead of one
 * per click).
 */
export function clickSource(
  env: StreamExecutionEnvironment,
  params: ParameterTool,
  defaults: { events: number; users: number },
): ClickSource {
  const events = params.getNumber("events", defaults.events);
  const users = params.getNumber("users", defaults.users);
  const outOfOrdernessMs = params.getNumber("out-of-orderness-ms", 5_000);
  const seed = params.getNumber("seed", 42);
  const clicks = env.fromCollection(clickstream({ events, users, outOfOrdernessMs, seed }))
    .name("Clicks").setParallelism(1)
    .assignTimestampsAndWatermarks(clickWatermarks(outOfOrdernessMs, params.has("periodic")))
    .setParallelism(1);
  return { clicks, events, users };
}

/** `HH:MM:SS` of an event time (UTC). */
export function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
