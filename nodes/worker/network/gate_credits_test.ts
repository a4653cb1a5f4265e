import assert from "node:assert/strict";
import { gateCredits } from "./gate_credits.ts";
import { DEFAULT_NETWORK_SETTINGS } from "./channel.ts";

const s = DEFAULT_NETWORK_SETTINGS;

Deno.test("channels from other slots share the gate's budget; in-slot and remote ones keep theirs", () => {
  assert.deepEqual(gateCredits(["inSlot", "otherSlot"], s), [4, 32]);
  assert.deepEqual(gateCredits(["inSlot", "otherSlot", "otherSlot", "otherSlot"], s), [
    4,
    10,
    10,
    10,
  ]);
  assert.deepEqual(gateCredits(["otherSlot", "remote", "remote"], s), [32, 128, 128]);
});

Deno.test("a gate's share never exceeds the channel window nor falls below two buffers", () => {
  const many = gateCredits(Array(31).fill("otherSlot"), s);
  assert.ok(many.every((c) => c === 2), many.join());
  assert.deepEqual(gateCredits(["otherSlot"], { ...s, creditsPerGate: 1000 }), [32]);
  // A channel window set below the floor is the user's: it is kept.
  assert.deepEqual(gateCredits(["otherSlot", "otherSlot"], { ...s, creditsPerChannel: 1 }), [1, 1]);
});
