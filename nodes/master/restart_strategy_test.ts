import assert from "node:assert/strict";
import {
  exponentialDelay,
  failureRate,
  fixedDelay,
  parseRestartStrategy,
} from "./restart_strategy.ts";

Deno.test("fixed delay gives up after its attempts", () => {
  const s = fixedDelay(2, 100);
  assert.deepEqual([s.onFailure(0), s.onFailure(1), s.onFailure(2)], [100, 100, undefined]);
});

Deno.test("exponential delay grows, caps and resets after a quiet period", () => {
  const s = exponentialDelay(10, 50, 2, 1000);
  assert.deepEqual(
    [s.onFailure(0), s.onFailure(1), s.onFailure(2), s.onFailure(3), s.onFailure(4)],
    [
      10,
      20,
      40,
      50,
      50,
    ],
  );
  assert.equal(s.onFailure(5000), 10);
});

Deno.test("failure rate counts failures within the interval", () => {
  const s = failureRate(2, 1000, 5);
  assert.deepEqual([s.onFailure(0), s.onFailure(10), s.onFailure(20)], [5, 5, undefined]);
  const t = failureRate(2, 1000, 5);
  assert.deepEqual([t.onFailure(0), t.onFailure(10), t.onFailure(2000)], [5, 5, 5]);
});

Deno.test("specs parse, and bad ones say why", () => {
  assert.equal(
    parseRestartStrategy("fixed-delay:5:200").describe(),
    "fixed-delay (5 attempts, 200 ms)",
  );
  assert.equal(parseRestartStrategy("none").onFailure(0), undefined);
  assert.throws(() => parseRestartStrategy("sometimes"), /unknown restart strategy 'sometimes'/);
  assert.throws(() => parseRestartStrategy("fixed-delay:x"), /bad number 'x'/);
});
