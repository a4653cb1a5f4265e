import assert from "node:assert/strict";
import { TriggerResult } from "./triggers.ts";

Deno.test("TriggerResult: fire and purge flags of the four results", () => {
  const flags = Object.values(TriggerResult).map((r) => `${r.name} ${r.fire} ${r.purge}`);
  assert.deepEqual(flags, [
    "CONTINUE false false",
    "FIRE true false",
    "PURGE false true",
    "FIRE_AND_PURGE true true",
  ]);
  assert.ok(Object.isFrozen(TriggerResult) && Object.isFrozen(TriggerResult.FIRE));
});
