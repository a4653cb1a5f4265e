import assert from "node:assert/strict";
import { NUMERIC_BATCH_MAGIC, NumericBatchDecoder, NumericBatchEncoder } from "./numeric_batch.ts";
import { RecordBatchDecoder, RecordBatchEncoder } from "./record_batch.ts";

const roundTrip = (records: unknown[], timestamps?: Float64Array) => {
  const buffer = new NumericBatchEncoder().encode(records, timestamps);
  assert.ok(buffer !== undefined, "the batch is numeric");
  assert.equal(new Uint8Array(buffer)[0], NUMERIC_BATCH_MAGIC);
  return new NumericBatchDecoder().decode(new Uint8Array(buffer));
};

Deno.test("numeric batches round-trip objects and tuples of numbers, special values too", () => {
  const records = [
    { auction: 1, price: 2.5, dateTime: 1_700_000_000_123 },
    { auction: -0, price: Number.NaN, dateTime: Infinity },
    { auction: Number.MAX_SAFE_INTEGER, price: -Infinity, dateTime: 5e-324 },
  ];
  const { records: out, timestamps } = roundTrip(records);
  assert.deepEqual(out, records);
  assert.ok(Object.is((out[1] as { auction: number }).auction, -0));
  assert.equal(timestamps, undefined);
  assert.deepEqual(roundTrip([[1, 2], [3, 4.5]]).records, [[1, 2], [3, 4.5]]);
});

Deno.test("numeric batches keep several shapes (other keys, other order), key order and timestamps in record order", () => {
  const records = [
    { id: 1, seller: 2, expires: 9 },
    { auction: 1, price: 7 },
    { price: 8, auction: 1 },
    [1, 2, 3],
    { auction: 2, price: 9 },
  ];
  const ts = new Float64Array([10, Number.NaN, 12, 13, 14]);
  const { records: out, timestamps } = roundTrip(records, ts);
  assert.deepEqual(out, records);
  assert.deepEqual(out.map((r) => Object.keys(r as object)), records.map((r) => Object.keys(r)));
  assert.deepEqual([...timestamps!], [...ts]);
});

Deno.test("a batch with anything but plain records of numbers is not numeric", () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const proto = JSON.parse('{"__proto__": 1}');
  for (
    const bad of [
      [{ a: 1 }, { a: "1" }],
      [{ a: 1 }, { a: 1n }],
      [{ a: { b: 1 } }],
      [new Point(1)],
      [Object.create(null)],
      [proto],
      [{}],
      [[]],
      [[1, , 3]],
      [1, 2],
      ["a"],
      [null],
      [{ a: undefined }],
    ]
  ) {
    assert.equal(new NumericBatchEncoder().encode(bad), undefined, Deno.inspect(bad));
  }
  // More shapes than a batch can index.
  const many = [...Array(256).keys()].map((i) => ({ [`k${i}`]: i }));
  assert.equal(new NumericBatchEncoder().encode(many), undefined);
});

Deno.test("record batches of numbers in a few shapes take the numeric form, mixed ones cbor-x", () => {
  const enc = new RecordBatchEncoder(), dec = new RecordBatchDecoder();
  // One shape is a shaped batch (see shaped_batch_test.ts); two are a numeric one.
  const records = [{ a: 1 }, { b: 2 }];
  const numeric = enc.encode(records, new Float64Array([5, 6]));
  assert.equal(new Uint8Array(numeric)[0], NUMERIC_BATCH_MAGIC);
  assert.deepEqual(dec.decode(numeric), records);
  assert.deepEqual([...dec.timestamps!], [5, 6]);
  const mixed = [{ a: 1 }, "x"];
  const cbor = enc.encode(mixed);
  assert.notEqual(new Uint8Array(cbor)[0], NUMERIC_BATCH_MAGIC);
  assert.deepEqual(dec.decode(cbor), mixed);
  assert.equal(dec.timestamps, undefined);
  // After a batch in neither form, the encoder uses cbor-x for a while; both decode.
  assert.deepEqual(dec.decode(enc.encode([{ a: 3 }])), [{ a: 3 }]);
});

Deno.test("a numeric batch decodes from an unaligned slice of a larger buffer (a frame)", () => {
  const records = [{ a: 1, b: 2 }, { a: 3, b: 4 }];
  const buffer = new NumericBatchEncoder().encode(records, new Float64Array([1, 2]))!;
  const frame = new Uint8Array(buffer.byteLength + 11);
  frame.set(new Uint8Array(buffer), 3);
  const { records: out, timestamps } = new NumericBatchDecoder().decode(
    frame.subarray(3, 3 + buffer.byteLength),
  );
  assert.deepEqual(out, records);
  assert.deepEqual([...timestamps!], [1, 2]);
});

Deno.test("a corrupt numeric batch is an error that says what is wrong", () => {
  const buffer = new Uint8Array(
    new NumericBatchEncoder().encode([{ a: 1 }, [2, 3], { a: 4 }], new Float64Array(3))!,
  );
  const dec = new NumericBatchDecoder();
  const corrupt = (patch: (b: Uint8Array) => Uint8Array, message: RegExp) =>
    assert.throws(() => dec.decode(patch(buffer.slice())), message);
  corrupt((b) => b.subarray(0, b.length - 8), /runs past the end/);
  corrupt((b) => b.subarray(0, 6), /no header/);
  corrupt((b) => (b[1] = 9, b), /version 9/);
  corrupt((b) => (b[3] = 0, b), /no shapes/);
  corrupt((b) => (b[8] = 7, b), /shape 0 has kind 7/);
  // Record count far beyond the values.
  corrupt((b) => (new DataView(b.buffer).setUint32(4, 1e9, true), b), /records/);
  // A shape index past the shapes. The header is 8 bytes, shape 0 ({a}) 6 and
  // shape 1 ([2]) 3: the record indexes start at the next 8-byte boundary, 24.
  const indexAt = 24;
  corrupt((b) => (b[indexAt] = 200, b), /record 0 has shape 200/);
  // A key that is not UTF-8.
  corrupt((b) => (b[13] = 0xff, b), /not UTF-8/);
});

Deno.test("ever new shapes keep decoding right past the shape cache's limit", () => {
  const enc = new NumericBatchEncoder(), dec = new NumericBatchDecoder();
  for (let i = 0; i < 1100; i++) {
    const records = [{ [`k${i}`]: i }, [i, i + 1]];
    const buffer = enc.encode(records)!;
    assert.deepEqual(dec.decode(new Uint8Array(buffer)).records, records);
  }
});

Deno.test("a numeric batch naming __proto__ or a key twice is refused", () => {
  const buffer = new Uint8Array(new NumericBatchEncoder().encode([{ ab: 1, cd: 2 }])!);
  const patched = (k1: string, k2: string) => {
    const b = buffer.slice();
    // Keys start after the 8-byte header and the shape's kind and field count (3 bytes).
    b.set(new TextEncoder().encode(k1), 13);
    b.set(new TextEncoder().encode(k2), 17);
    return b;
  };
  const dec = new NumericBatchDecoder();
  assert.throws(() => dec.decode(patched("ab", "ab")), /has key ab twice/);
  assert.deepEqual(dec.decode(patched("ab", "cd")).records, [{ ab: 1, cd: 2 }]);
  // A nine-letter key patched into __proto__ (an object literal would set the prototype).
  const proto = new Uint8Array(new NumericBatchEncoder().encode([{ abcdefghi: 1 }])!);
  proto.set(new TextEncoder().encode("__proto__"), 13);
  assert.throws(() => dec.decode(proto), /has the key __proto__/);
});
