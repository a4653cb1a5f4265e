import assert from "node:assert/strict";
import { TimerHeap } from "./_timer_heap.ts";

Deno.test("timer heap: pops by (time, seq) whatever the pushes, growing past its first capacity", () => {
  let seed = 11;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const heap = new TimerHeap<{ time: number; seq: number }>();
  const model: { time: number; seq: number }[] = [];
  const order = (a: { time: number; seq: number }, b: { time: number; seq: number }) =>
    a.time - b.time || a.seq - b.seq;
  for (let seq = 0; seq < 5000; seq++) {
    if (random() < 0.7 || model.length === 0) {
      // Few distinct times: ties are broken by seq.
      const t = { time: Math.floor(random() * 50), seq };
      heap.push(t, t.time, t.seq);
      model.push(t);
      model.sort(order);
    } else {
      assert.equal(heap.pop(), model.shift());
    }
    assert.equal(heap.size, model.length);
    assert.equal(heap.peek(), model[0]);
    assert.equal(heap.peekTime(), model[0]?.time ?? Infinity);
  }
  while (model.length > 0) assert.equal(heap.pop(), model.shift());
  assert.equal(heap.pop(), undefined);
  assert.equal(heap.peekTime(), Infinity);
});
