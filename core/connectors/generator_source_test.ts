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
    states.push(r.snapshotState!(1));
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

/** Records `subtasks` readers of one generator emit in about `ms` of real time. */
async function emittedIn(count: number, perSecond: number, subtasks: number, ms: number) {
  const readers = Array.from({ length: subtasks }, (_, i) => {
    const r = generatorSource(count, (x) => x, { recordsPerSecond: perSecond }).createReader();
    r.open({ operatorName: "g", subtaskIndex: i, parallelism: subtasks });
    return r;
  });
  let emitted = 0;
  const out = { collect: () => emitted++ };
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (const r of readers) {
      const more = r.pollNext(out, { available: true }, 1000);
      if (more instanceof Promise) await more;
    }
  }
  return { emitted, elapsedMs: performance.now() - start };
}

for (const count of [1e9, Infinity]) {
  const kind = count === Infinity ? "an unbounded" : "a bounded";
  Deno.test(`${kind} generator holds its rate over all subtasks`, async () => {
    for (const subtasks of [1, 2]) {
      const { emitted, elapsedMs } = await emittedIn(count, 200, subtasks, 500);
      const expected = 200 * elapsedMs / 1000;
      assert.ok(
        emitted >= expected / 2 && emitted <= expected * 2,
        `${emitted} records in ${elapsedMs.toFixed(0)} ms at 200/s over ${subtasks} subtasks`,
      );
    }
  });
}
