import assert from "node:assert/strict";
import { FailedAuthLimiter } from "./auth_failures.ts";

Deno.test("FailedAuthLimiter: blocks a peer after N failures in the window, per peer", () => {
  let now = 1000;
  const limiter = new FailedAuthLimiter(3, 10_000, () => now);
  for (let i = 0; i < 2; i++) limiter.recordFailure("a");
  assert.equal(limiter.retryAfterMs("a"), undefined);
  now += 1000;
  limiter.recordFailure("a");
  assert.equal(limiter.retryAfterMs("a"), 9000); // the oldest failure leaves the window then
  assert.equal(limiter.retryAfterMs("b"), undefined);
  now += 9000;
  assert.equal(limiter.retryAfterMs("a"), undefined);
});
