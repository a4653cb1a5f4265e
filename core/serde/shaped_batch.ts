/**
 * Shaped batches: a batch of records written column by column, so that no
 * codec call is paid per record or per field. The records are one column;
 * a column of plain objects of one shape (the same keys in the same order)
 * or of plain arrays of one length is written as its shape once and one
 * column per field, recursively; a column of numbers as int32 or float64
 * values, of strings as one JSON array in UTF-8 (one `JSON.stringify` and
 * one `encodeInto` per column; one `TextDecoder` call and one `JSON.parse`
 * to read it, which make each string on its own: slices of one decoded text
 * would be cheaper but keep the whole text alive while any record is kept),
 * of booleans as bytes; any other column (mixed types, Dates, Maps,
 * bigints) is one cbor-x array. Decoding builds the records with a function generated
 * once per shape (one hidden class, see `_record_shapes.ts`).
 *
 * Records round-trip as through cbor-x, and more exactly: -0 stays -0, and
 * strings with lone surrogates stay as they were (JSON escapes them).
 *
 * Layout (little-endian, as the platform's typed arrays): magic 0x1E (never
 * the first byte of CBOR: an integer with reserved additional info 30),
 * version, flags (bit 0: timestamps), a zero byte, record count (u32); with
 * timestamps, from an 8-byte boundary one float64 per record; then the root
 * column. A column is its kind byte and then:
 * - INT32 / FLOAT64: from an 8-byte boundary, one value per record;
 * - STRING: from an 8-byte boundary the byte count (u32) and the UTF-8 text
 *   of a JSON array of the strings;
 * - BOOLEAN: one byte per record (0 or 1); NULL / UNDEFINED: nothing;
 * - OBJECT: the field count (u16), each key as u16 byte count + UTF-8, then
 *   one column per field; ARRAY: the length (u16), then one column per element;
 * - CBOR: the byte count (u32) and one cbor-x array of the column's values.
 * @module
 */

import { Decoder, Encoder } from "cbor-x";
import {
  ARRAY,
  isShapedArray,
  MAX_FIELDS,
  MAX_KEY_BYTES,
  OBJECT,
  objectKeysOf,
  type RecordShape,
  ShapeCache,
} from "./_record_shapes.ts";
import { RECORD_CBOR_OPTIONS } from "./record_cbor.ts";

/** First byte of a shaped batch. */
export const SHAPED_BATCH_MAGIC = 0x1e;
const VERSION = 1;
const HAS_TIMESTAMPS = 1;
const INT32 = 1, FLOAT64 = 2, STRING = 3, BOOLEAN = 4, NULL = 5, UNDEFINED = 6, CBOR = 9;
/** Nesting depth of shaped columns; deeper values go into a CBOR column. */
const MAX_DEPTH = 16;
/** Bytes of the working buffer an encoder starts with (it grows as batches need). */
const INITIAL_BYTES = 64 * 1024;

const utf8 = new TextEncoder();

/** Encodes batches of records as shaped batches; one instance per producer. */
export class ShapedBatchEncoder {
  private readonly shapes = new ShapeCache();
  private readonly cbor = new Encoder(RECORD_CBOR_OPTIONS);
  private bytes = new Uint8Array(INITIAL_BYTES);
  private view = new DataView(this.bytes.buffer);
  private pos = 0;

  /**
   * The records (and their timestamps, one per record) as a fresh ArrayBuffer
   * of exactly the encoded size, or undefined when the records themselves
   * are not of one shape or type (the caller then encodes the batch another way).
   */
  encode(records: readonly unknown[], timestamps?: Float64Array): ArrayBuffer | undefined {
    const n = records.length;
    if (n === 0 || n > 0xffffffff) return undefined;
    this.pos = 0;
    this.reserve(8);
    this.bytes[0] = SHAPED_BATCH_MAGIC;
    this.bytes[1] = VERSION;
    this.bytes[2] = timestamps !== undefined ? HAS_TIMESTAMPS : 0;
    this.bytes[3] = 0;
    this.view.setUint32(4, n, true);
    this.pos = 8;
    if (timestamps !== undefined) {
      this.reserve(n * 8);
      new Float64Array(this.bytes.buffer, this.pos, n).set(timestamps.subarray(0, n));
      this.pos += n * 8;
    }
    if (!this.column(records, n, 0, true)) return undefined;
    return this.bytes.slice(0, this.pos).buffer;
  }

  /** Writes `values[0..n)` as a column; at the root, returns false instead of writing CBOR. */
  private column(values: ArrayLike<unknown>, n: number, depth: number, root = false): boolean {
    const first = values[0];
    switch (typeof first) {
      case "number":
        if (this.numbers(values, n)) return true;
        break;
      case "string":
        if (this.strings(values, n)) return true;
        break;
      case "boolean":
        if (this.booleans(values, n)) return true;
        break;
      case "undefined":
        if (this.constant(values, n, undefined, UNDEFINED)) return true;
        break;
      case "object":
        if (first === null) {
          if (this.constant(values, n, null, NULL)) return true;
        } else if (depth < MAX_DEPTH && this.shaped(first, values, n, depth)) return true;
        break;
    }
    if (root) return false;
    const encoded = this.cbor.encode(values);
    this.reserve(5 + encoded.byteLength);
    this.bytes[this.pos] = CBOR;
    this.view.setUint32(this.pos + 1, encoded.byteLength, true);
    this.bytes.set(encoded, this.pos + 5);
    this.pos += 5 + encoded.byteLength;
    return true;
  }

  private numbers(values: ArrayLike<unknown>, n: number): boolean {
    let ints = true;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typeof v !== "number") return false;
      if (ints && ((v | 0) !== v || (v === 0 && 1 / v < 0))) ints = false;
    }
    this.kind(ints ? INT32 : FLOAT64);
    this.align8();
    this.reserve(n * 8);
    const out = ints
      ? new Int32Array(this.bytes.buffer, this.pos, n)
      : new Float64Array(this.bytes.buffer, this.pos, n);
    for (let i = 0; i < n; i++) out[i] = values[i] as number;
    this.pos += out.byteLength;
    return true;
  }

  private strings(values: ArrayLike<unknown>, n: number): boolean {
    for (let i = 0; i < n; i++) if (typeof values[i] !== "string") return false;
    // JSON escapes lone surrogates, so the text is well-formed and they round-trip too.
    const json = JSON.stringify(values);
    this.kind(STRING);
    this.align8();
    // encodeInto stops where the room ends: make room for the worst case (3 bytes per unit).
    this.reserve(4 + json.length * 3);
    const { written } = utf8.encodeInto(json, this.bytes.subarray(this.pos + 4));
    this.view.setUint32(this.pos, written, true);
    this.pos += 4 + written;
    return true;
  }

  private booleans(values: ArrayLike<unknown>, n: number): boolean {
    for (let i = 0; i < n; i++) if (typeof values[i] !== "boolean") return false;
    this.kind(BOOLEAN);
    this.reserve(n);
    const bytes = this.bytes;
    for (let i = 0, p = this.pos; i < n; i++, p++) bytes[p] = values[i] ? 1 : 0;
    this.pos += n;
    return true;
  }

  private constant(values: ArrayLike<unknown>, n: number, value: unknown, kind: number): boolean {
    for (let i = 0; i < n; i++) if (values[i] !== value) return false;
    this.kind(kind);
    return true;
  }

  /** A column of objects of one shape or arrays of one length: the shape, then a column per field. */
  private shaped(first: object, values: ArrayLike<unknown>, n: number, depth: number): boolean {
    let shape: RecordShape;
    if (Array.isArray(first)) {
      if (!isShapedArray(first)) return false;
      shape = this.shapes.array(first.length);
    } else {
      const keys = objectKeysOf(first);
      if (keys === undefined) return false;
      shape = this.shapes.object(keys);
    }
    const columns: unknown[][] = [];
    for (let f = 0; f < shape.fields; f++) columns.push(new Array(n));
    if (shape.gather(values, n, columns) !== n) return false;
    this.kind(shape.kind);
    this.reserve(2);
    this.view.setUint16(this.pos, shape.fields, true);
    this.pos += 2;
    for (const key of shape.keyBytes) {
      this.reserve(2 + key.length);
      this.view.setUint16(this.pos, key.length, true);
      this.bytes.set(key, this.pos + 2);
      this.pos += 2 + key.length;
    }
    for (const column of columns) this.column(column, n, depth + 1);
    return true;
  }

  private kind(kind: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = kind;
  }

  private align8(): void {
    const to = (this.pos + 7) & ~7;
    this.reserve(to - this.pos);
    this.bytes.fill(0, this.pos, to);
    this.pos = to;
  }

  /** Makes room for `more` bytes past `pos` (the working buffer doubles, keeping what is written). */
  private reserve(more: number): void {
    const need = this.pos + more;
    if (need <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(need, this.bytes.length * 2));
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }
}

/** Decodes shaped batches; one instance per consumer (it caches shapes). */
export class ShapedBatchDecoder {
  private readonly shapes = new ShapeCache();
  private readonly cbor = new Decoder(RECORD_CBOR_OPTIONS);
  /** Keys are checked (a corrupt key must not become a field); a column's text is not (20x slower). */
  private readonly keyText = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  private readonly text = new TextDecoder("utf-8", { ignoreBOM: true });

  /** The records and timestamps of `bytes`, a shaped batch; throws, naming the fault, if corrupt. */
  decode(bytes: Uint8Array): { records: unknown[]; timestamps: Float64Array | undefined } {
    // Typed views need aligned offsets: a frame's slice may not be.
    const r = new Reader((bytes.byteOffset & 7) === 0 ? bytes : bytes.slice());
    if (bytes.byteLength < 8 || bytes[0] !== SHAPED_BATCH_MAGIC) r.fail("no header");
    if (bytes[1] !== VERSION) r.fail(`version ${bytes[1]}, expected ${VERSION}`);
    const n = r.view.getUint32(4, true);
    if (n === 0) r.fail("no records");
    r.pos = 8;
    let timestamps: Float64Array | undefined;
    if ((bytes[2] & HAS_TIMESTAMPS) !== 0) timestamps = r.float64s(n);
    const column = this.column(r, n, 0);
    if (r.pos !== bytes.byteLength) r.fail(`${bytes.byteLength - r.pos} bytes left over`);
    // A column of int32 numbers is a typed array; records are a plain array.
    const records = Array.isArray(column) ? column : Array.from(column);
    return { records, timestamps };
  }

  private column(r: Reader, n: number, depth: number): ArrayLike<unknown> {
    const kind = r.u8();
    switch (kind) {
      case INT32:
        r.align8();
        return new Int32Array(r.bytes.buffer, r.bytes.byteOffset + r.take(n * 4), n);
      case FLOAT64:
        return integersAsSmall(r.float64s(n));
      case STRING:
        return this.strings(r, n);
      case BOOLEAN: {
        const at = r.take(n), out = new Array<boolean>(n);
        for (let i = 0; i < n; i++) out[i] = r.bytes[at + i] !== 0;
        return out;
      }
      case NULL:
        return new Array(n).fill(null);
      case UNDEFINED:
        return new Array(n).fill(undefined);
      case OBJECT:
      case ARRAY:
        return this.shaped(r, n, kind, depth);
      case CBOR: {
        const length = r.u32();
        const values = this.cbor.decode(r.bytes.subarray(r.take(length), r.pos));
        if (!Array.isArray(values) || values.length !== n) {
          r.fail(`a CBOR column is not ${n} values`);
        }
        return values;
      }
    }
    return r.fail(`unknown column kind ${kind} at byte ${r.pos - 1}`);
  }

  private strings(r: Reader, n: number): string[] {
    r.align8();
    const byteCount = r.u32(), from = r.take(byteCount);
    let values: unknown;
    try {
      // JSON.parse makes each string on its own (a slice of one text would keep it all alive).
      values = JSON.parse(this.text.decode(r.bytes.subarray(from, r.pos)));
    } catch {
      r.fail("a string column is not a JSON array");
    }
    if (!Array.isArray(values) || values.length !== n) r.fail(`a string column is not ${n} values`);
    for (let i = 0; i < n; i++) {
      if (typeof values[i] !== "string") r.fail(`a string column has a ${typeof values[i]}`);
    }
    return values;
  }

  private shaped(r: Reader, n: number, kind: number, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) r.fail(`columns nested deeper than ${MAX_DEPTH}`);
    const fields = r.u16();
    if (fields > MAX_FIELDS) r.fail(`a shape of ${fields} fields (at most ${MAX_FIELDS})`);
    let shape: RecordShape;
    if (kind === ARRAY) shape = this.shapes.array(fields);
    else {
      const keys: string[] = [];
      for (let f = 0; f < fields; f++) {
        const length = r.u16();
        if (length > MAX_KEY_BYTES) r.fail(`key ${f} of ${length} bytes`);
        let key = "";
        try {
          key = this.keyText.decode(r.bytes.subarray(r.take(length), r.pos));
        } catch {
          r.fail(`key ${f} is not UTF-8`);
        }
        if (key === "__proto__") r.fail("a shape has the key __proto__");
        if (keys.includes(key)) r.fail(`a shape has the key ${key} twice`);
        keys.push(key);
      }
      shape = this.shapes.object(keys);
    }
    const columns: ArrayLike<unknown>[] = [];
    for (let f = 0; f < fields; f++) columns.push(this.column(r, n, depth + 1));
    return shape.build(columns, n);
  }
}

/**
 * The values of a float64 column, integers other than -0 as small integers:
 * a float64 read back is a heap number even when it is an integer, and
 * stored so it would turn the producer's small-integer fields into boxed
 * doubles (V8 generalizes the shared hidden class).
 */
function integersAsSmall(values: Float64Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const f = values[i];
    out[i] = (f | 0) === f && (f !== 0 || 1 / f > 0) ? f | 0 : f;
  }
  return out;
}

/** A position in a batch being decoded, with bounds checks that name the fault. */
class Reader {
  readonly view: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(what: string): never {
    throw new TypeError(`corrupt shaped record batch (${this.bytes.byteLength} bytes): ${what}`);
  }

  /** Moves past `count` bytes, returning where they start. */
  take(count: number): number {
    const at = this.pos;
    if (at + count > this.bytes.byteLength) this.fail(`cut off at byte ${at} (${count} more)`);
    this.pos = at + count;
    return at;
  }

  u8(): number {
    return this.bytes[this.take(1)];
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  align8(): void {
    this.take(((this.pos + 7) & ~7) - this.pos);
  }

  float64s(n: number): Float64Array {
    this.align8();
    return new Float64Array(this.bytes.buffer, this.bytes.byteOffset + this.take(n * 8), n);
  }
}
