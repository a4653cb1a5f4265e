/**
 * A damaged state file is refused with what is wrong with it: no magic, a
 * header or a blob past the end, a reference to a blob the file lacks.
 */

import assert from "node:assert/strict";
import { encode } from "cbor-x";
import { decodeStateFile, encodeStateFile } from "./state_file_format.ts";

const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** A file of `header` (CBOR of any shape) after the magic and its length. */
function fileWithHeader(header: unknown, trailing = new Uint8Array()): Uint8Array {
  const body = encode(header);
  const prefix = new Uint8Array(8);
  prefix.set(new TextEncoder().encode("SPST"));
  new DataView(prefix.buffer).setUint32(4, body.length);
  return concat([prefix, body, trailing]);
}

Deno.test("state file: damage is named, an intact file round-trips with its blobs", () => {
  const data = { state: new Uint8Array(64 * 1024).fill(7), small: [1, "a"] };
  const bytes = concat(encodeStateFile(data));
  assert.deepEqual(decodeStateFile(bytes), data);

  assert.throws(() => decodeStateFile(new TextEncoder().encode("JSON{}..")), {
    message: 'not a spate state file (no "SPST" magic)',
  });
  assert.throws(() => decodeStateFile(bytes.subarray(0, 4)), { message: /no "SPST" magic/ });
  const header = new DataView(bytes.buffer).getUint32(4);
  assert.throws(() => decodeStateFile(bytes.subarray(0, 8 + header - 1)), {
    message: "header runs past the end of the file",
  });
  assert.throws(() => decodeStateFile(bytes.subarray(0, bytes.length - 1)), {
    message: "a blob runs past the end of the file",
  });
  assert.throws(() => decodeStateFile(fileWithHeader({ data: { $blob: 3 }, blobs: [] })), {
    message: "reference to a missing blob 3",
  });
});
