import assert from "node:assert/strict";
import { decodeCollected, encodeCollected, fromBase64, toBase64 } from "./collected_cbor.ts";

Deno.test("collected records keep what JSON loses, through base64 too", () => {
  const records = [
    { big: -(2n ** 80n), map: new Map<unknown, unknown>([[1, "a"], ["b", new Set([2n])]]) },
    { at: new Date(1_234_567), bytes: new Uint8Array([9, 0]), ints: new Int32Array([-1, 7]) },
    { gone: undefined, none: null, negZero: -0, nan: NaN, inf: -Infinity, n: 2 ** 53 + 2 },
    [[], {}, "", 0],
  ];
  assert.deepStrictEqual(decodeCollected(encodeCollected(records)), records);
  assert.deepStrictEqual(decodeCollected(fromBase64(toBase64(encodeCollected(records)))), records);
});

Deno.test("encodings are standalone: each decodes on its own after others", () => {
  const a = encodeCollected([{ x: 1, y: "a" }, { x: 2, y: "b" }]);
  const b = encodeCollected([{ x: 3, y: "c" }]);
  assert.deepStrictEqual(decodeCollected(b), [{ x: 3, y: "c" }]);
  assert.deepStrictEqual(decodeCollected(a), [{ x: 1, y: "a" }, { x: 2, y: "b" }]);
});

Deno.test("base64 of a batch larger than one chunk", () => {
  const bytes = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 31) & 0xff);
  assert.deepStrictEqual(fromBase64(toBase64(bytes)), bytes);
});

Deno.test("malformed base64 is an error naming it", () => {
  assert.throws(() => fromBase64("not base64!"), /collected records: not base64/);
});
