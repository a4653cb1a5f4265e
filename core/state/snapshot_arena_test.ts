import assert from "node:assert/strict";
import { decode, encode } from "cbor-x";
import { SnapshotArena } from "./snapshot_arena.ts";

const groups = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => [{ name: "s", entries: [[i, `${tag}-${i}`.repeat(40)]] }]);

Deno.test("SnapshotArena: a released buffer is reused; a held one is never overwritten", () => {
  const arena = new SnapshotArena(1);
  const first = arena.encodeAll((enc) => groups(50, "a").map(enc));
  const held = arena.encodeAll((enc) => groups(50, "b").map(enc));
  assert.notStrictEqual(first.result[0].buffer, held.result[0].buffer);
  first.release();
  const third = arena.encodeAll((enc) => groups(50, "c").map(enc));
  assert.strictEqual(third.result[0].buffer, first.result[0].buffer);
  // The held lease still decodes to what it encoded.
  assert.deepStrictEqual(held.result.map((b) => decode(b)), groups(50, "b"));
  assert.deepStrictEqual(third.result.map((b) => decode(b)), groups(50, "c"));
});

Deno.test("SnapshotArena: other encoders never write into the arena after encodeAll", () => {
  const arena = new SnapshotArena(1);
  const lease = arena.encodeAll((enc) => groups(3, "x").map(enc));
  const before = lease.result.map((b) => b.slice());
  for (let i = 0; i < 1000; i++) {
    assert(encode({ i, pad: "y".repeat(100) }).buffer !== lease.result[0].buffer);
  }
  assert.deepStrictEqual(lease.result, before);
});

Deno.test("SnapshotArena: a snapshot larger than the arena still encodes whole, and the next fits", () => {
  const arena = new SnapshotArena(1);
  arena.encodeAll((enc) => groups(2, "s").map(enc)).release();
  const big = groups(2000, "big"); // ~2.6 MB, past the 1 MiB first arena
  const lease = arena.encodeAll((enc) => big.map(enc));
  assert.deepStrictEqual(lease.result.map((b) => decode(b)), big);
  lease.release();
  const next = arena.encodeAll((enc) => big.map(enc));
  assert(next.result.every((b) => b.buffer === next.result[0].buffer), "one buffer holds it all");
  assert.deepStrictEqual(next.result.map((b) => decode(b)), big);
  next.release();
  const again = arena.encodeAll((enc) => big.map(enc));
  assert.strictEqual(again.result[0].buffer, next.result[0].buffer, "the grown buffer is reused");
});
