import assert from "node:assert/strict";
import { closest, editDistance } from "./suggest.ts";

Deno.test("edit distance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("slot", "slots"), 1);
  assert.equal(editDistance("same", "same"), 0);
});

Deno.test("closest suggests a likely typo and nothing for an unrelated word", () => {
  const flags = ["parallelism", "max-parallelism", "mode", "json", "slots", "slot-timeout"];
  assert.equal(closest("paralelism", flags), "parallelism");
  assert.equal(closest("slot", flags), "slots");
  assert.equal(closest("slot-timout", flags), "slot-timeout");
  assert.equal(closest("top", flags), undefined);
  assert.equal(closest("input", flags), undefined);
});
