import assert from "node:assert/strict";
import { Decoder, Encoder } from "cbor-x";
import { SHAPED_BATCH_MAGIC, ShapedBatchDecoder, ShapedBatchEncoder } from "./shaped_batch.ts";
import { RecordBatchDecoder, RecordBatchEncoder } from "./record_batch.ts";

const roundTrip = (records: unknown[], timestamps?: Float64Array) => {
  const buffer = new ShapedBatchEncoder().encode(records, timestamps);
  assert.ok(buffer !== undefined, "the batch is shaped");
  assert.equal(new Uint8Array(buffer)[0], SHAPED_BATCH_MAGIC);
  return new ShapedBatchDecoder().decode(new Uint8Array(buffer));
};

/** A deterministic generator (mulberry32), so a failing case can be replayed by its seed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [
  0,
  -0,
  1,
  -1,
  2 ** 31 - 1,
  -(2 ** 31),
  2 ** 31,
  0.5,
  -1e-300,
  1.7e12,
  NaN,
  Infinity,
];
const STRINGS = [
  "",
  "a",
  "héllo",
  "日本語",
  "😀x",
  "\uFEFFbom",
  'q"\\\n\u0001',
  "\uD83D",
  "x".repeat(300),
  "y".repeat(70_000),
];
const KEYS = ["id", "a b", 'q"uote', "\\", "`${x}`", "1", "0", "constructor", "ключ", "toString"];

/** A random value type: a function making values of it (one shape for objects and arrays). */
function valueType(rnd: () => number, depth: number): () => unknown {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const kind = Math.floor(rnd() * (depth > 2 ? 8 : 11));
  switch (kind) {
    case 0:
      return () => Math.floor(rnd() * 2000) - 1000;
    case 1:
      return () => pick(NUMBERS);
    case 2:
      return () => pick(STRINGS.slice(0, 8)) + String(Math.floor(rnd() * 100));
    case 3:
      return () => rnd() < 0.5;
    case 4:
      return () => null;
    case 5:
      return () => undefined;
    case 6: // mixed types in one field: a CBOR column
      return () => pick<unknown>([1, "s", null, 5n, new Date(7), true, [1, "x"], { z: 1 }]);
    case 7:
      return () => (rnd() < 0.5 ? null : rnd() * 10);
    case 8:
    case 9: {
      const keys = [...new Set(Array.from({ length: Math.floor(rnd() * 5) }, () => pick(KEYS)))];
      const types = keys.map(() => valueType(rnd, depth + 1));
      return () => Object.fromEntries(keys.map((k, i) => [k, types[i]()]));
    }
    default: {
      const types = Array.from({ length: Math.floor(rnd() * 4) }, () => valueType(rnd, depth + 1));
      return () => types.map((t) => t());
    }
  }
}

Deno.test("random records of one shape round-trip exactly (-0, NaN, undefined, nesting)", () => {
  let shaped = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rnd = random(seed);
    const make = valueType(rnd, 0);
    const n = 1 + Math.floor(rnd() * 50);
    const records = Array.from({ length: n }, make);
    const buffer = new ShapedBatchEncoder().encode(records);
    if (buffer === undefined) continue; // a root of mixed types: the caller's CBOR path
    const decoded = new ShapedBatchDecoder().decode(new Uint8Array(buffer)).records;
    assert.deepStrictEqual(decoded, records, `seed ${seed}`);
    shaped++;
  }
  assert.ok(shaped > 200, `only ${shaped} of 300 batches were shaped`);
});

Deno.test("shaped batches read as cbor-x would, except that -0 stays -0", () => {
  const cbor = (v: unknown) =>
    new Decoder({ useRecords: true }).decode(new Encoder({ useRecords: true }).encode(v));
  const records = [
    { id: 1, name: "a", tags: [1, 2], when: new Date(5), big: 5n, nested: { x: 1.5, y: null } },
    {
      id: 2,
      name: "b",
      tags: [3, 4],
      when: new Date(6),
      big: 2n ** 70n,
      nested: { x: 2, y: null },
    },
  ];
  assert.deepStrictEqual(roundTrip(records).records, cbor(records));
  // A hole reads as undefined, as in cbor-x.
  // deno-lint-ignore no-sparse-arrays
  const holes = [[1, , 3], [4, 5, 6]];
  assert.deepStrictEqual(roundTrip(holes).records, cbor(holes));
  // Lone surrogates round-trip (cbor-x makes them U+FFFD).
  const lone = [{ s: "\uD800" }, { s: "ok\uDC00" }];
  assert.deepStrictEqual(roundTrip(lone).records, lone);
  const zeros = roundTrip([{ z: -0 }, { z: 0 }]).records as { z: number }[];
  assert.ok(Object.is(zeros[0].z, -0) && Object.is(zeros[1].z, 0));
  assert.ok(Object.is((cbor([-0]) as number[])[0], 0), "cbor-x writes -0 as the integer 0");
});

Deno.test("shaped batches carry timestamps, strings, tuples and plain values", () => {
  const { records, timestamps } = roundTrip(
    [["héllo", 1], ["日本語", 2.5]],
    new Float64Array([1_000, NaN]),
  );
  assert.deepStrictEqual(records, [["héllo", 1], ["日本語", 2.5]]);
  assert.deepStrictEqual([...timestamps!], [1_000, NaN]);
  assert.deepStrictEqual(roundTrip(["a", "\uFEFFb", ""]).records, ["a", "\uFEFFb", ""]);
  assert.deepStrictEqual(roundTrip([1, 2, 3]).records, [1, 2, 3]);
  assert.deepStrictEqual(roundTrip([{}, {}]).records, [{}, {}]);
  assert.deepStrictEqual(roundTrip([true, false]).records, [true, false]);
  assert.deepStrictEqual(roundTrip(STRINGS).records, STRINGS);
  assert.deepStrictEqual(roundTrip([null]).records, [null]);
  const big = Array.from({ length: 5000 }, (_, i) => ({ i, s: "z".repeat(i % 300) }));
  assert.deepStrictEqual(roundTrip(big).records, big);
});

Deno.test("records of several shapes or types are not a shaped batch", () => {
  const enc = new ShapedBatchEncoder();
  assert.equal(enc.encode([{ a: 1 }, { b: 1 }]), undefined);
  assert.equal(enc.encode([1, "x"]), undefined);
  assert.equal(enc.encode([new Date(1)]), undefined);
  assert.equal(enc.encode([Object.create(null)]), undefined);
  assert.equal(enc.encode([]), undefined);
  // The record batch codec takes them another way; they still round-trip.
  const records = [{ a: 1 }, "x", new Date(1)];
  assert.deepStrictEqual(
    new RecordBatchDecoder().decode(new RecordBatchEncoder().encode(records)),
    records,
  );
});

Deno.test("the record batch codec writes one-shape batches shaped, with their timestamps", () => {
  const enc = new RecordBatchEncoder(), dec = new RecordBatchDecoder();
  const records = [{ id: 1, payload: "x" }, { id: 2, payload: "y" }];
  const buffer = enc.encode(records, new Float64Array([1, 2]));
  assert.equal(new Uint8Array(buffer)[0], SHAPED_BATCH_MAGIC);
  assert.deepStrictEqual(dec.decode(buffer), records);
  assert.deepStrictEqual([...dec.timestamps!], [1, 2]);
});

Deno.test("a shaped batch decodes from an unaligned slice of a larger buffer (a frame)", () => {
  const records = [{ a: 1, s: "x", f: 0.5 }, { a: 2, s: "yy", f: 1.5 }];
  const buffer = new Uint8Array(new ShapedBatchEncoder().encode(records)!);
  const frame = new Uint8Array(buffer.length + 3);
  frame.set(buffer, 3);
  assert.deepStrictEqual(new ShapedBatchDecoder().decode(frame.subarray(3)).records, records);
});

Deno.test("a cut or corrupt shaped batch is an error that says what is wrong", () => {
  const records = [{ a: 1, s: "text", n: null, o: { b: [1, "x"] } }, {
    a: 2,
    s: "t",
    n: null,
    o: { b: [2, "y"] },
  }];
  const bytes = new Uint8Array(new ShapedBatchEncoder().encode(records)!);
  for (let cut = 0; cut < bytes.length; cut++) {
    assert.throws(
      () => new ShapedBatchDecoder().decode(bytes.slice(0, cut)),
      /corrupt shaped record batch/,
    );
  }
  const rnd = random(7);
  for (let i = 0; i < 500; i++) {
    const bad = bytes.slice();
    bad[1 + Math.floor(rnd() * (bad.length - 1))] ^= 1 << Math.floor(rnd() * 8);
    try {
      new ShapedBatchDecoder().decode(bad);
    } catch (e) {
      assert.ok(e instanceof Error, String(e));
    }
  }
  const version = bytes.slice();
  version[1] = 99;
  assert.throws(() => new ShapedBatchDecoder().decode(version), /version 99, expected 1/);
});

Deno.test("a shape naming __proto__ is refused on both sides", () => {
  const evil = JSON.parse('{"__proto__": 1}');
  assert.equal(new ShapedBatchEncoder().encode([evil]), undefined);
  const bytes = new Uint8Array(new ShapedBatchEncoder().encode([{ __proto_x: 1 }])!);
  const at = new TextDecoder().decode(bytes).indexOf("__proto_x");
  bytes[at + 8] = "_".charCodeAt(0);
  assert.throws(() => new ShapedBatchDecoder().decode(bytes), /__proto__/);
});
