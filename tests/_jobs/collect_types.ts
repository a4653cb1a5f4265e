// Collects records of every type CBOR keeps and JSON does not; with --out, writes
// Deno.inspect of what came back (the CLI compares a local run with a cluster's).
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

/** The records, the same on every run. */
export const SENT = [
  {
    big: 2n ** 70n,
    small: -5n,
    map: new Map<unknown, unknown>([["a", 1], [2, { x: [1n] }]]),
    set: new Set<unknown>([1, "two", 3n]),
    date: new Date(1_700_000_000_123),
    bytes: new Uint8Array([0, 1, 255]),
    floats: new Float64Array([1.5, -2]),
    nested: { a: { b: [1, { c: undefined, d: null }] } },
    missing: undefined,
    none: null,
    negZero: -0,
  },
  [undefined, null, new Map([["k", new Set([new Date(0)])]])],
];

const out = ParameterTool.fromArgs(jobArgs()).get("out");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
export const results: unknown[] = await env.fromElements(...SENT).executeAndCollect("types");
if (out !== undefined) {
  await Deno.writeTextFile(out, Deno.inspect(results, { depth: Infinity, sorted: true }));
}
