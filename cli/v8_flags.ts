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
 * cost is up to 32 MiB more committed memory per slot. To use other
 * flags, run `deno run --v8-flags=... cli/main.ts` directly.
 *
 * @example
 * ```ts
 * import { SPATE_V8_FLAGS } from "./v8_flags.ts";
 * const args = ["run", SPATE_V8_FLAGS, "-A", "cli/main.ts", "help"];
 * ```
 * @module
 */

/** The `--v8-flags` argument of a spate process. */
export const SPATE_V8_FLAGS = "--v8-flags=--min-semi-space-size=16";
