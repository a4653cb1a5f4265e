import assert from "node:assert/strict";
import { extremeBy, extremeOf, sumOf } from "./aggregations.ts";

Deno.test("sum keeps the first record's other fields and does not mutate", () => {
  const a: [string, number, string] = ["w", 1, "first"];
  const r = sumOf<[string, number, string]>(1)(a, ["w", 2, "second"]);
  assert.deepEqual(r, ["w", 3, "first"]);
  assert.deepEqual(a, ["w", 1, "first"]);
  assert.deepEqual(sumOf<{ n: number }>("n")({ n: 1 }, { n: 4 }), { n: 5 });
});

Deno.test("min/max vs minBy/maxBy", () => {
  const a = { k: "a", v: 5, tag: "x" }, b = { k: "a", v: 2, tag: "y" };
  assert.deepEqual(extremeOf<typeof a>("v", -1)(a, b), { k: "a", v: 2, tag: "x" });
  assert.deepEqual(extremeBy<typeof a>("v", -1)(a, b), b);
  assert.deepEqual(extremeOf<typeof a>("v", 1)(a, b), a);
  assert.equal(extremeBy<typeof a>("v", 1)(a, { ...b, v: 5 }), a);
});

Deno.test("aggregating a non-numeric field names the field", () => {
  assert.throws(() => sumOf<[string, string]>(1)(["a", "x"], ["a", "y"]), /field 1/);
});
