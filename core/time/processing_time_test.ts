import assert from "node:assert/strict";
import { TimerQueue } from "./processing_time.ts";

Deno.test("fireAllPending runs every pending timer in time order at the end of time, skips cancelled ones, and leaves what they register", () => {
  const q = new TimerQueue();
  const fired: string[] = [];
  q.add(30, (t) => fired.push(`30@${t}`));
  q.add(10, (t) => {
    fired.push(`10@${t}`);
    q.add(15, (u) => fired.push(`15@${u}`)); // registered meanwhile: stays pending
  });
  q.add(20, (t) => fired.push(`20@${t}`)).cancel();
  q.fireAllPending();
  assert.deepEqual(fired, ["10@Infinity", "30@Infinity"]);
  assert.equal(q.size, 1);
  assert.equal(q.nextTime, 15);
});

Deno.test("fireDue runs only what is due, including timers they register that are due too", () => {
  const q = new TimerQueue();
  const fired: number[] = [];
  q.add(5, (t) => {
    fired.push(t);
    q.add(7, (u) => fired.push(u));
  });
  q.add(50, (t) => fired.push(t));
  q.fireDue(10);
  assert.deepEqual(fired, [5, 7]);
  assert.equal(q.nextTime, 50);
});
