import assert from "node:assert/strict";
import { SourceBatchSize } from "./source_batch.ts";

Deno.test("a source batch starts small and doubles to its maximum while batches are quick", () => {
  const b = new SourceBatchSize(2048, 5);
  assert.equal(b.records, 128);
  const sizes = [];
  for (let i = 0; i < 6; i++) {
    b.update(b.records, 0.5);
    sizes.push(b.records);
  }
  assert.deepEqual(sizes, [256, 512, 1024, 2048, 2048, 2048]);
  assert.equal(new SourceBatchSize(16, 5).records, 16, "never above the maximum");
});

Deno.test("a full batch that overran the slice shrinks in proportion, to one record at least", () => {
  const b = new SourceBatchSize(2048, 5);
  for (let i = 0; i < 4; i++) b.update(b.records, 1);
  assert.equal(b.records, 2048);
  b.update(2048, 60); // 30 us a record: 5 ms is ~170 records
  assert.equal(b.records, 170);
  b.update(170, 4); // within the slice, over half of it: stays
  assert.equal(b.records, 170);
  b.update(170, 10_000);
  assert.equal(b.records, 1);
});

Deno.test("a batch the source did not fill leaves the size alone", () => {
  const b = new SourceBatchSize(2048, 5);
  b.update(3, 500); // ran dry or was paused by a rate limit
  assert.equal(b.records, 128);
  b.update(0, 0);
  assert.equal(b.records, 128);
});

Deno.test("a source batch refuses a size below one record and a slice of no time", () => {
  assert.throws(() => new SourceBatchSize(0, 5), /at least 1 record, got 0/);
  assert.throws(() => new SourceBatchSize(1.5, 5), /at least 1 record, got 1.5/);
  assert.throws(() => new SourceBatchSize(64, 0), /slice must be > 0 ms, got 0/);
  assert.throws(() => new SourceBatchSize(64, NaN), /slice must be > 0 ms, got NaN/);
});
