import assert from "node:assert/strict";
import { Encoder, Tag } from "cbor-x";
import { NumericBatchEncoder } from "./numeric_batch.ts";
import { RecordBatchDecoder, RecordBatchEncoder, TIMED_BATCH_TAG } from "./record_batch.ts";

Deno.test("batches round-trip tuples, objects and non-ASCII strings", () => {
  const enc = new RecordBatchEncoder(), dec = new RecordBatchDecoder();
  const records = [["héllo", 1], { auction: 1, price: 2.5, url: "δ://x" }, "日本語", 42, null];
  const first = enc.encode(records);
  const second = enc.encode([{ auction: 2, price: 3, url: "y" }]);
  assert.deepEqual(dec.decode(first), records);
  // Each batch is standalone: a fresh decoder reads the second one alone.
  assert.deepEqual(new RecordBatchDecoder().decode(second), [{ auction: 2, price: 3, url: "y" }]);
  assert.equal(first.byteLength > 0, true);
});

Deno.test("a corrupt batch is an error, not a crash", () => {
  assert.throws(() => new RecordBatchDecoder().decode(new Uint8Array([0x18])));
  assert.throws(() => new RecordBatchDecoder().decode(new Uint8Array([0x01])), /not a CBOR array/);
});

Deno.test("a batch with timestamps carries one per record (NaN: none); a plain one clears them", () => {
  const enc = new RecordBatchEncoder(), dec = new RecordBatchDecoder();
  const timed = enc.encode([{ a: 1 }, { a: 2 }], new Float64Array([1_000, Number.NaN]));
  assert.deepEqual(dec.decode(timed), [{ a: 1 }, { a: 2 }]);
  assert.deepEqual([...dec.timestamps!], [1_000, Number.NaN]);
  assert.deepEqual(dec.decode(enc.encode([3])), [3]);
  assert.equal(dec.timestamps, undefined);
});

Deno.test("batches in the earlier forms (cbor-x, timed, numeric) still decode: in-flight data of old checkpoints", () => {
  const dec = new RecordBatchDecoder();
  const records = [{ a: 1, s: "x" }, { a: 2, s: "y" }];
  const cbor = new Encoder({ useRecords: true });
  assert.deepEqual(dec.decode(cbor.encode(records)), records);
  const timed = cbor.encode(new Tag([records, new Float64Array([3, 4])], TIMED_BATCH_TAG));
  assert.deepEqual(dec.decode(timed), records);
  assert.deepEqual([...dec.timestamps!], [3, 4]);
  const numeric = new NumericBatchEncoder().encode([{ a: 1 }, { a: 2 }])!;
  assert.deepEqual(dec.decode(numeric), [{ a: 1 }, { a: 2 }]);
});
