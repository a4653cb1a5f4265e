import assert from "node:assert/strict";
import { MinHeap } from "./_min_heap.ts";

Deno.test("min-heap: pops in order whatever the pushes, with pops in between", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const heap = new MinHeap<number>((a, b) => a < b);
  const model: number[] = [];
  for (let i = 0; i < 5000; i++) {
    if (random() < 0.6 || model.length === 0) {
      const x = Math.floor(random() * 1000);
      heap.push(x);
      model.push(x);
      model.sort((a, b) => a - b);
    } else {
      assert.equal(heap.pop(), model.shift());
    }
    assert.equal(heap.size, model.length);
    assert.equal(heap.peek(), model[0]);
  }
  while (model.length > 0) assert.equal(heap.pop(), model.shift());
  assert.equal(heap.pop(), undefined);
});
