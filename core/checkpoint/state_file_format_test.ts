import assert from "node:assert/strict";
import { decodeStateFile, encodeStateFile } from "./state_file_format.ts";

const join = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.length) - c.length);
  return out;
};

Deno.test("state file: large byte arrays go raw after the header and come back in place", () => {
  const big = crypto.getRandomValues(new Uint8Array(50_000));
  const small = new Uint8Array([1, 2, 3]);
  const data = {
    version: 1,
    groups: [{ keyGroup: 3, encoded: big }, { keyGroup: 9, encoded: small }],
    text: "héllo",
    n: 42n,
  };
  const chunks = encodeStateFile(data);
  assert.equal(chunks.length, 3, "prefix, header, one blob");
  assert.equal(chunks[2], big, "the blob is written as it is, not copied");
  assert.deepEqual(decodeStateFile(join(chunks)), data);
});

Deno.test("state file: a wrong magic, a cut header or a cut blob are errors", () => {
  const bytes = join(encodeStateFile({ blob: new Uint8Array(10_000) }));
  assert.throws(() => decodeStateFile(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0])), /magic/);
  assert.throws(() => decodeStateFile(bytes.subarray(0, 12)), /header runs past/);
  assert.throws(() => decodeStateFile(bytes.subarray(0, bytes.length - 1)), /blob runs past/);
});
