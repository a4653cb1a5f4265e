/**
 * Numeric batches: a batch whose records are all plain objects or arrays of
 * numbers (a join's keys, prices, timestamps) written as one column of
 * float64 values and decoded into objects of one hidden class per shape.
 * cbor-x spends most of its time per field (a type switch and a variable
 * length write each); here a record is a few typed-array stores, chosen by a
 * function generated once per shape.
 *
 * Layout (little-endian): magic 0x1F (never the first byte of CBOR, where it
 * is an integer of indefinite length), version, flags (bit 0: timestamps),
 * shape count (u8), record count (u32); each shape: kind (0 object, 1
 * array), field count (u16), for an object each key as u16 length + UTF-8;
 * then, from an 8-byte boundary, the shape index of each record (u8, only
 * with more than one shape), then from an 8-byte boundary one float64
 * timestamp per record (when flagged) and the records' fields in order.
 * @module
 */

/** First byte of a numeric batch. */
export const NUMERIC_BATCH_MAGIC = 0x1f;
const VERSION = 1;
const HAS_TIMESTAMPS = 1;
const OBJECT = 0, ARRAY = 1;
/** Limits: shapes per batch (a u8 index), fields per shape, bytes per key. */
const MAX_SHAPES = 255, MAX_FIELDS = 64, MAX_KEY_BYTES = 256;
/** Shapes (each three generated functions) an encoder or decoder keeps (see ShapeCache). */
const MAX_CACHED_SHAPES = 1024;

/** One record shape: plain object keys in order, or an array's length. */
interface Shape {
  readonly kind: typeof OBJECT | typeof ARRAY;
  readonly keys: readonly string[];
  /** The keys as written in a batch header (UTF-8), encoded once per shape. */
  readonly keyBytes: readonly Uint8Array[];
  /** Bytes of this shape in a batch header: kind, field count, keys. */
  readonly headerBytes: number;
  readonly fields: number;
  /** True when `r` has exactly this shape and every field is a number. */
  readonly matches: (r: unknown) => boolean;
  /** Writes `r`'s fields to `v` from `at`. */
  readonly write: (r: unknown, v: Float64Array, at: number) => void;
  /** Builds a record from `v`'s fields from `at`. */
  readonly read: (v: Float64Array, at: number) => unknown;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * The shape functions, generated so that each reads its fields by name
 * (monomorphic property loads, and one object literal per shape on decode).
 * Keys are quoted with JSON.stringify, so no key can inject code; `__proto__`
 * (a literal would set the prototype) never makes a shape.
 */
function makeShape(kind: typeof OBJECT | typeof ARRAY, keys: readonly string[]): Shape {
  const fields = kind === OBJECT ? keys.length : Number(keys[0]);
  const at = (i: number) => (i === 0 ? "at" : `at + ${i}`);
  const field = (i: number) => kind === OBJECT ? `r[${JSON.stringify(keys[i])}]` : `r[${i}]`;
  const idx = [...Array(fields).keys()];
  const numbers = idx.map((i) => `typeof ${field(i)} === "number"`).join(" && ") || "true";
  const matches = kind === OBJECT
    ? new Function(
      "OP",
      "K",
      `return (r) => {
        if (typeof r !== "object" || r === null || Object.getPrototypeOf(r) !== OP) return false;
        let n = 0;
        for (const k in r) { if (k !== K[n]) return false; n++; }
        return n === ${fields} && ${numbers};
      };`,
    )(Object.prototype, keys)
    : new Function(`return (r) => Array.isArray(r) && r.length === ${fields} && ${numbers};`)();
  const write = new Function(
    "r",
    "v",
    "at",
    idx.map((i) => `v[${at(i)}] = ${field(i)};`).join("\n"),
  ) as Shape["write"];
  // A float64 read back is a heap number even when it is an integer; stored so, it turns the
  // producer's small-integer fields into boxed doubles (V8 generalizes the shared hidden class,
  // and every later object pays a box per field). Integers other than -0 come back as such.
  const loads = idx.map((i) => `const f${i} = v[${at(i)}];`).join("\n");
  const values = idx.map((i) =>
    `((f${i} | 0) === f${i} && (f${i} !== 0 || 1 / f${i} > 0) ? f${i} | 0 : f${i})`
  );
  const read = new Function(
    "v",
    "at",
    loads + "\n" +
      (kind === OBJECT
        ? `return {${idx.map((i) => `${JSON.stringify(keys[i])}: ${values[i]}`).join(", ")}};`
        : `return [${values.join(", ")}];`),
  ) as Shape["read"];
  const keyBytes = kind === OBJECT ? keys.map((k) => utf8.encode(k)) : [];
  const headerBytes = 3 + keyBytes.reduce((t, k) => t + 2 + k.length, 0);
  return {
    kind,
    keys: kind === OBJECT ? keys : [],
    keyBytes,
    headerBytes,
    fields,
    matches,
    write,
    read,
  };
}

/**
 * The shapes an encoder or decoder has made, by signature. It starts over
 * past MAX_CACHED_SHAPES, so ever new key sets (or a peer sending them) cost
 * regenerating, not memory without bound.
 */
class ShapeCache {
  private readonly shapes = new Map<string, Shape>();

  get(kind: typeof OBJECT | typeof ARRAY, keys: readonly string[]): Shape {
    const key = `${kind}:${JSON.stringify(keys)}`;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = makeShape(kind, keys);
      if (this.shapes.size === MAX_CACHED_SHAPES) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    return shape;
  }
}

/** The signature of `r`'s shape, or undefined when it is not a plain record of numbers. */
function signatureOf(
  r: unknown,
): { kind: typeof OBJECT | typeof ARRAY; keys: string[] } | undefined {
  if (typeof r !== "object" || r === null) return undefined;
  if (Array.isArray(r)) {
    if (r.length === 0 || r.length > MAX_FIELDS) return undefined;
    for (let i = 0; i < r.length; i++) if (typeof r[i] !== "number") return undefined;
    return { kind: ARRAY, keys: [String(r.length)] };
  }
  if (Object.getPrototypeOf(r) !== Object.prototype) return undefined;
  const keys: string[] = [];
  for (const k in r) {
    const v = (r as Record<string, unknown>)[k];
    if (typeof v !== "number" || k === "__proto__" || keys.length === MAX_FIELDS) return undefined;
    if (k.length * 3 > MAX_KEY_BYTES && utf8.encode(k).length > MAX_KEY_BYTES) return undefined;
    keys.push(k);
  }
  return keys.length === 0 ? undefined : { kind: OBJECT, keys };
}

const align8 = (n: number) => (n + 7) & ~7;

/** Encodes batches of numeric records; one instance per producer (it caches shapes). */
export class NumericBatchEncoder {
  private readonly shapes = new ShapeCache();
  private values = new Float64Array(4096);
  private shapeIndex = new Uint8Array(1024);

  /**
   * The records (and their timestamps) as a numeric batch, or undefined when
   * some record is not a plain object or array of numbers (then nothing is
   * kept, and the caller encodes the batch another way).
   */
  encode(records: readonly unknown[], timestamps?: Float64Array): ArrayBuffer | undefined {
    const n = records.length;
    if (n === 0 || n > 0xffffffff) return undefined;
    const used: Shape[] = [];
    if (this.shapeIndex.length < n) this.shapeIndex = new Uint8Array(n);
    const shapeIndex = this.shapeIndex;
    let values = this.values, pos = 0;
    let shape: Shape | undefined, current = -1;
    for (let i = 0; i < n; i++) {
      const r = records[i];
      if (shape === undefined || !shape.matches(r)) {
        current = this.shapeOf(r, used);
        if (current < 0) return undefined;
        shape = used[current];
      }
      shapeIndex[i] = current;
      if (pos + shape.fields > values.length) {
        const grown = new Float64Array(Math.max(values.length * 2, pos + shape.fields));
        grown.set(values.subarray(0, pos));
        values = this.values = grown;
      }
      shape.write(r, values, pos);
      pos += shape.fields;
    }
    return this.layout(used, n, shapeIndex, timestamps, values.subarray(0, pos));
  }

  /** The index in `used` of `r`'s shape (added if new), or -1 if it has none or too many. */
  private shapeOf(r: unknown, used: Shape[]): number {
    for (let s = 0; s < used.length; s++) if (used[s].matches(r)) return s;
    const sig = signatureOf(r);
    if (sig === undefined || used.length === MAX_SHAPES) return -1;
    used.push(this.shapes.get(sig.kind, sig.keys));
    return used.length - 1;
  }

  private layout(
    shapes: readonly Shape[],
    n: number,
    shapeIndex: Uint8Array,
    timestamps: Float64Array | undefined,
    values: Float64Array,
  ): ArrayBuffer {
    let header = 8;
    for (const shape of shapes) header += shape.headerBytes;
    const indexAt = align8(header);
    const tsAt = align8(indexAt + (shapes.length > 1 ? n : 0));
    const valuesAt = tsAt + (timestamps !== undefined ? n * 8 : 0);
    const buffer = new ArrayBuffer(valuesAt + values.length * 8);
    const bytes = new Uint8Array(buffer), view = new DataView(buffer);
    bytes[0] = NUMERIC_BATCH_MAGIC;
    bytes[1] = VERSION;
    bytes[2] = timestamps !== undefined ? HAS_TIMESTAMPS : 0;
    bytes[3] = shapes.length;
    view.setUint32(4, n, true);
    let p = 8;
    for (let s = 0; s < shapes.length; s++) {
      bytes[p] = shapes[s].kind;
      view.setUint16(p + 1, shapes[s].fields, true);
      p += 3;
      for (const k of shapes[s].keyBytes) {
        view.setUint16(p, k.length, true);
        bytes.set(k, p + 2);
        p += 2 + k.length;
      }
    }
    if (shapes.length > 1) bytes.set(shapeIndex.subarray(0, n), indexAt);
    if (timestamps !== undefined) new Float64Array(buffer, tsAt, n).set(timestamps);
    new Float64Array(buffer, valuesAt, values.length).set(values);
    return buffer;
  }
}

/** Decodes numeric batches; one instance per consumer (it caches shapes). */
export class NumericBatchDecoder {
  private readonly shapes = new ShapeCache();

  /** The records and timestamps of `bytes`, a numeric batch; throws, naming the fault, if corrupt. */
  decode(bytes: Uint8Array): { records: unknown[]; timestamps: Float64Array | undefined } {
    const fail = (what: string): never => {
      throw new TypeError(`corrupt numeric record batch (${bytes.byteLength} bytes): ${what}`);
    };
    if (bytes.byteLength < 8 || bytes[0] !== NUMERIC_BATCH_MAGIC) fail("no header");
    if (bytes[1] !== VERSION) fail(`version ${bytes[1]}, expected ${VERSION}`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const timed = (bytes[2] & HAS_TIMESTAMPS) !== 0, shapeCount = bytes[3];
    const n = view.getUint32(4, true);
    if (shapeCount === 0) fail("no shapes");
    const shapes: Shape[] = [];
    let p = 8;
    for (let s = 0; s < shapeCount; s++) {
      if (p + 3 > bytes.byteLength) fail(`shape ${s} is cut off`);
      const kind = bytes[p], fields = view.getUint16(p + 1, true);
      p += 3;
      if ((kind !== OBJECT && kind !== ARRAY) || fields === 0 || fields > MAX_FIELDS) {
        fail(`shape ${s} has kind ${kind} and ${fields} fields`);
      }
      const keys: string[] = [];
      if (kind === OBJECT) {
        for (let f = 0; f < fields; f++) {
          if (p + 2 > bytes.byteLength) fail(`key ${f} of shape ${s} is cut off`);
          const len = view.getUint16(p, true);
          if (len > MAX_KEY_BYTES || p + 2 + len > bytes.byteLength) {
            fail(`key ${f} of shape ${s} is cut off`);
          }
          let key = "";
          try {
            key = utf8Decoder.decode(bytes.subarray(p + 2, p + 2 + len));
          } catch {
            fail(`key ${f} of shape ${s} is not UTF-8`);
          }
          if (key === "__proto__") fail(`shape ${s} has the key __proto__`);
          if (keys.includes(key)) fail(`shape ${s} has key ${key} twice`);
          keys.push(key);
          p += 2 + len;
        }
      } else keys.push(String(fields));
      shapes.push(this.shapes.get(kind as typeof OBJECT | typeof ARRAY, keys));
    }
    return this.records(bytes, shapes, n, timed, align8(p), fail);
  }

  private records(
    bytes: Uint8Array,
    shapes: readonly Shape[],
    n: number,
    timed: boolean,
    indexAt: number,
    fail: (what: string) => never,
  ): { records: unknown[]; timestamps: Float64Array | undefined } {
    const many = shapes.length > 1;
    const tsAt = align8(indexAt + (many ? n : 0));
    const valuesAt = tsAt + (timed ? n * 8 : 0);
    if (valuesAt > bytes.byteLength || (bytes.byteLength - valuesAt) % 8 !== 0) {
      fail(`${n} records do not fit`);
    }
    const valueCount = (bytes.byteLength - valuesAt) / 8;
    // Every shape has a field: more records than values is a lie.
    if (n > valueCount) fail(`${n} records in ${valueCount} values`);
    // Float64Array needs an 8-byte aligned offset: a frame's slice may not be.
    const aligned = (bytes.byteOffset & 7) === 0 ? bytes : bytes.slice();
    const all = new Float64Array(
      aligned.buffer,
      aligned.byteOffset + tsAt,
      (bytes.byteLength - tsAt) / 8,
    );
    const values = all.subarray(timed ? n : 0);
    const records = new Array<unknown>(n);
    let pos = 0;
    if (!many) {
      const shape = shapes[0];
      if (shape.fields * n !== valueCount) fail(`${valueCount} values for ${n} records`);
      for (let i = 0; i < n; i++, pos += shape.fields) records[i] = shape.read(values, pos);
    } else {
      for (let i = 0; i < n; i++) {
        const shape = shapes[aligned[indexAt + i]];
        if (shape === undefined || pos + shape.fields > valueCount) {
          fail(`record ${i} has shape ${aligned[indexAt + i]} or runs past the end`);
        }
        records[i] = shape.read(values, pos);
        pos += shape.fields;
      }
      if (pos !== valueCount) fail(`${valueCount - pos} values left over`);
    }
    return { records, timestamps: timed ? all.subarray(0, n) : undefined };
  }
}
