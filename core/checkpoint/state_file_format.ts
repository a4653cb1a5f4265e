/**
 * The bytes of a state file. Large byte arrays (encoded key groups, in-flight
 * buffers) are not passed through CBOR, which copies them slowly (measured
 * ~120 MB/s with cbor-x): each is replaced in the CBOR header by a reference
 * and written raw after it, so a state file is written as a list of chunks
 * without one big copy.
 *
 * Layout: "SPST" | u32 header length (big-endian) | CBOR header | blob 0 | blob 1 | ...
 * where the header is `{ data, blobs: [length...] }` and `{ $blob: i }` in
 * `data` stands for blob i.
 * @module
 */

import { decode, Encoder } from "cbor-x";

const MAGIC = [0x53, 0x50, 0x53, 0x54]; // "SPST"
/** Byte arrays at least this long go raw after the header. */
const BLOB_MIN_BYTES = 4096;
const encoder = new Encoder({ useRecords: false });

/** `data` as the chunks of a state file, in order. */
export function encodeStateFile(data: unknown): Uint8Array[] {
  const blobs: Uint8Array[] = [];
  const header = encoder.encode({ data: extract(data, blobs), blobs: blobs.map((b) => b.length) });
  const prefix = new Uint8Array(8);
  prefix.set(MAGIC);
  new DataView(prefix.buffer).setUint32(4, header.length);
  return [prefix, header, ...blobs];
}

/** The data of a state file's bytes; throws a plain Error naming what is wrong. */
export function decodeStateFile(bytes: Uint8Array): unknown {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new Error('not a spate state file (no "SPST" magic)');
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0);
  if (8 + headerLength > bytes.length) throw new Error("header runs past the end of the file");
  const header = decode(bytes.subarray(8, 8 + headerLength)) as { data: unknown; blobs: number[] };
  const blobs: Uint8Array[] = [];
  let at = 8 + headerLength;
  for (const length of header.blobs) {
    if (at + length > bytes.length) throw new Error("a blob runs past the end of the file");
    blobs.push(bytes.subarray(at, at + length));
    at += length;
  }
  return restore(header.data, blobs);
}

/** A copy of `x` with large byte arrays replaced by references (plain objects and arrays only). */
function extract(x: unknown, blobs: Uint8Array[]): unknown {
  if (x instanceof Uint8Array) {
    if (x.length < BLOB_MIN_BYTES) return x;
    blobs.push(x);
    return { $blob: blobs.length - 1 };
  }
  if (Array.isArray(x)) return x.map((v) => extract(v, blobs));
  if (x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = extract(v, blobs);
    return out;
  }
  return x;
}

function restore(x: unknown, blobs: Uint8Array[]): unknown {
  if (Array.isArray(x)) return x.map((v) => restore(v, blobs));
  if (x !== null && typeof x === "object" && !(x instanceof Uint8Array)) {
    const o = x as Record<string, unknown>;
    if (typeof o.$blob === "number" && Object.keys(o).length === 1) {
      const blob = blobs[o.$blob];
      if (blob === undefined) throw new Error(`reference to a missing blob ${o.$blob}`);
      return blob;
    }
    if (Object.getPrototypeOf(x) !== Object.prototype) return x;
    for (const k of Object.keys(o)) o[k] = restore(o[k], blobs);
  }
  return x;
}
