import assert from "node:assert/strict";
import { generatorSource, redistributeRanges } from "./generator_source.ts";

Deno.test("remaining ranges redistribute evenly and completely", () => {
  const ranges: [number, number][] = [[0, 10], [50, 55], [20, 21]];
  const parts = [0, 1, 2].map((i) => redistributeRanges(ranges, 3, i));
  const flat = parts.flat().flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
  assert.deepEqual(flat.sort((a, b) => a - b), [...Array(10).keys(), 20, 50, 51, 52, 53, 54]);
  assert.deepEqual(parts.map((p) => p.reduce((s, [a, b]) => s + b - a, 0)), [5, 5, 6]);
});

Deno.test("a restored generator emits each remaining record once, at another parallelism", () => {
  const count = 10_000;
  const out: number[] = [];
  const states: unknown[] = [];
  for (let i = 0; i < 2; i++) {
    const r = generatorSource(count, (x) => x).createReader();
    r.open({ operatorName: "g", subtaskIndex: i, parallelism: 2 });
    r.pollNext({ collect: (x: number) => out.push(x) }, { available: true }, 1234 * (i + 1));
    states.push(r.snapshotState!());
  }
  for (let i = 0; i < 3; i++) {
    const r = generatorSource(count, (x) => x).createReader();
    r.open({ operatorName: "g", subtaskIndex: i, parallelism: 3 });
    r.restoreState!(states);
    while (r.pollNext({ collect: (x: number) => out.push(x) }, { available: true }, 1000));
  }
  assert.deepEqual(out.sort((a, b) => a - b), [...Array(count).keys()]);
});

Deno.test("an unbounded generator resumes only at its old parallelism", () => {
  const r = generatorSource(Infinity, (x) => x).createReader();
  r.open({ operatorName: "g", subtaskIndex: 0, parallelism: 2 });
  assert.throws(() => r.restoreState!([10]), /only at its old parallelism/);
  r.restoreState!([10, 11]);
  const got: number[] = [];
  r.pollNext({ collect: (x: number) => got.push(x) }, { available: true }, 3);
  assert.deepEqual(got, [10, 12, 14]);
});

Deno.test("a rate-limited generator keeps the allowance that backpressure held back", async () => {
  const r = generatorSource(10_000, (x) => x, { recordsPerSecond: 1000 }).createReader();
  r.open({ operatorName: "g", subtaskIndex: 0, parallelism: 1 });
  const got: number[] = [];
  const out = { collect: (x: number) => got.push(x) };
  // Let ~100 records of allowance accrue (waiting on the limiter itself).
  const start = performance.now();
  while (performance.now() - start < 100) {
    const more = r.pollNext(out, { available: false }, 1000);
    if (more instanceof Promise) await more;
    else await new Promise((resolve) => setTimeout(resolve, 10));
  }
  // Output that takes one record per call: each call emits at once, none waits.
  for (let i = 0; i < 5; i++) {
    let room = 1;
    const gate = {
      get available() {
        return room-- > 0;
      },
    };
    assert.equal(r.pollNext(out, gate, 1000), true, `call ${i} was paced though allowed`);
  }
  assert.deepEqual(got, [0, 1, 2, 3, 4]);
});
