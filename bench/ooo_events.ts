/**
 * The out-of-order input of `deno task bench windows --parallelism ...`
 * (issue 24's case): `ts,key,value` lines in arrival order, event time
 * spread evenly over `spanMs` and each event up to `disorderMs` late, keys
 * and values from a seeded PRNG (the same file on every run).
 * @module
 */

/** Shape of the generated input. */
export interface OooEventsShape {
  readonly events: number;
  readonly keys: number;
  readonly spanMs: number;
  readonly disorderMs: number;
}

/** mulberry32 */
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

/** Writes the events to `path`; returns its size in bytes. */
export function writeOooEvents(path: string, s: OooEventsShape): number {
  const rnd = prng(42);
  const start = 1_700_000_000_000;
  const lines: string[] = [];
  for (let i = 0; i < s.events; i++) {
    const ts = start + Math.floor(i * s.spanMs / s.events) - Math.floor(rnd() * s.disorderMs);
    lines.push(`${ts},key-${Math.floor(rnd() * s.keys)},${Math.floor(rnd() * 100_000)}`);
  }
  const text = lines.join("\n") + "\n";
  Deno.writeTextFileSync(path, text);
  return text.length;
}
