/**
 * The V8 flags every spate process runs with: the `deno task` entries in
 * `deno.json` (spate, demo, test, bench, compile) pass them, and so do the
 * tests and benches that start spate processes. V8 reads them once, when the
 * process starts, for every isolate it makes, slots included; a running
 * process cannot change them.
 *
 * `--min-semi-space-size=16`: each isolate's young generation starts at its
 * 16 MiB semi-space instead of 1 MiB. A slot allocates hundreds of MB a
 * second; growing from 1 MiB took many small scavenges, each copying the
 * records in flight. Measured on Nexmark q4 at parallelism 2: 5-10% less
 * CPU (three A/B pairs, twice); over a run, scavenges 207-212 -> 170-175,
 * survivors 270-320 -> 180-235 MB, scavenge pauses 1.25-1.39 -> 1.0 s. The
 * cost is up to 32 MiB more committed memory per slot.
 *
 * `--max-semi-space-size=16`: and it stays there. V8's own ceiling here is
 * 32 MiB, which a busy slot reaches: 60-67 MiB of young generation per slot
 * (both semi-spaces), most of a slot's memory, and it grows with the number
 * of slots, not the data. Capped at 16, issue 24's window job peaked at
 * 639-661 MB at parallelism 4 instead of 748-757 MB and 253-257 MB instead
 * of 276-326 MB at parallelism 1, with the same CPU time (two A/B pairs);
 * Nexmark q4 at parallelism 2 moved within its noise (CPU 7.4/8.3 s before,
 * 8.1/7.7 s after). V8 flags are per process: a Deno Web Worker takes no
 * per-isolate heap limits (Deno 2.9.6 ignores `resourceLimits` on it;
 * `node:worker_threads` honours them, but its workers have no permission
 * sandbox). To use other flags, run `deno run --v8-flags=... cli/main.ts` directly.
 *
 * @example
 * ```ts
 * import { SPATE_V8_FLAGS } from "./v8_flags.ts";
 * const args = ["run", SPATE_V8_FLAGS, "-A", "cli/main.ts", "help"];
 * ```
 * @module
 */

/** The `--v8-flags` argument of a spate process. */
export const SPATE_V8_FLAGS = "--v8-flags=--min-semi-space-size=16,--max-semi-space-size=16";
