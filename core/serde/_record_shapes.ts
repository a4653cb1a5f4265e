/**
 * Record shapes for shaped batches (`shaped_batch.ts`): a plain object's keys
 * in order, or a plain array's length, with two functions generated once per
 * shape so that V8 sees monomorphic property loads and one object literal
 * (one hidden class) per shape:
 * - `gather` checks that each value has the shape and spreads its fields into
 *   one column per field (a record pass with no type switch and no write);
 * - `build` makes the records back from the decoded columns.
 * @module
 */

/** Shape kinds, as written in a batch (the column kind byte). */
export const OBJECT = 7, ARRAY = 8;
export type ShapeKind = typeof OBJECT | typeof ARRAY;

/** Limits: fields of one shape, UTF-8 bytes of one key. */
export const MAX_FIELDS = 256, MAX_KEY_BYTES = 256;
/** Shapes (each two generated functions) an encoder or decoder keeps (see ShapeCache). */
const MAX_CACHED_SHAPES = 1024;

export interface RecordShape {
  readonly kind: ShapeKind;
  readonly keys: readonly string[];
  /** The keys as written in a batch (UTF-8), encoded once per shape. */
  readonly keyBytes: readonly Uint8Array[];
  readonly fields: number;
  /**
   * Spreads the fields of `values[0..n)` into `columns` (one array of `n`
   * per field); returns the index of the first value without this shape, or
   * `n` when all have it.
   */
  readonly gather: (values: ArrayLike<unknown>, n: number, columns: unknown[][]) => number;
  /** The `n` records whose fields are `columns[f][i]`. */
  readonly build: (columns: readonly ArrayLike<unknown>[], n: number) => unknown[];
}

const utf8 = new TextEncoder();

/**
 * Generates a shape's functions. Keys are quoted with JSON.stringify, so no
 * key can inject code; `__proto__` (a literal would set the prototype) never
 * makes a shape (callers check, see `objectKeysOf`).
 */
function makeShape(kind: ShapeKind, keys: readonly string[]): RecordShape {
  const fields = kind === OBJECT ? keys.length : Number(keys[0]);
  const idx = [...Array(fields).keys()];
  const field = (i: number) => kind === OBJECT ? `r[${JSON.stringify(keys[i])}]` : `r[${i}]`;
  const columns = idx.map((i) => `const c${i} = cols[${i}];`).join("\n");
  const check = kind === OBJECT
    ? `if (typeof r !== "object" || r === null || Object.getPrototypeOf(r) !== OP) return i;
       let k = 0;
       for (const key in r) if (key !== K[k++]) return i;
       if (k !== ${fields}) return i;`
    : `if (!Array.isArray(r) || Object.getPrototypeOf(r) !== AP || r.length !== ${fields}) return i;`;
  const gather = new Function(
    "OP",
    "AP",
    "K",
    `return (vs, n, cols) => {
      ${columns}
      for (let i = 0; i < n; i++) {
        const r = vs[i];
        ${check}
        ${idx.map((i) => `c${i}[i] = ${field(i)};`).join("\n")}
      }
      return n;
    };`,
  )(Object.prototype, Array.prototype, keys) as RecordShape["gather"];
  const literal = kind === OBJECT
    ? `{${idx.map((i) => `${JSON.stringify(keys[i])}: c${i}[i]`).join(", ")}}`
    : `[${idx.map((i) => `c${i}[i]`).join(", ")}]`;
  const build = new Function(
    "cols",
    "n",
    `${columns}
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = ${literal};
    return out;`,
  ) as RecordShape["build"];
  const keyBytes = kind === OBJECT ? keys.map((k) => utf8.encode(k)) : [];
  return { kind, keys: kind === OBJECT ? keys : [], keyBytes, fields, gather, build };
}

/**
 * The shapes an encoder or decoder has made, by signature. It starts over
 * past MAX_CACHED_SHAPES, so ever new key sets (or a peer sending them) cost
 * regenerating, not memory without bound.
 */
export class ShapeCache {
  private readonly shapes = new Map<string, RecordShape>();

  /** The shape of an object with `keys` in this order. */
  object(keys: readonly string[]): RecordShape {
    return this.get(OBJECT, keys, JSON.stringify(keys));
  }

  /** The shape of an array of `length` elements. */
  array(length: number): RecordShape {
    return this.get(ARRAY, [String(length)], String(length));
  }

  private get(kind: ShapeKind, keys: readonly string[], signature: string): RecordShape {
    const key = kind === OBJECT ? signature : `[${signature}]`;
    let shape = this.shapes.get(key);
    if (shape === undefined) {
      shape = makeShape(kind, keys);
      if (this.shapes.size === MAX_CACHED_SHAPES) this.shapes.clear();
      this.shapes.set(key, shape);
    }
    return shape;
  }
}

/**
 * The keys of `r` in enumeration order when it is a plain object that a
 * shape can carry (at most MAX_FIELDS keys of at most MAX_KEY_BYTES, none
 * `__proto__`), else undefined.
 */
export function objectKeysOf(r: object): string[] | undefined {
  if (Object.getPrototypeOf(r) !== Object.prototype) return undefined;
  const keys: string[] = [];
  for (const k in r) {
    if (k === "__proto__" || keys.length === MAX_FIELDS) return undefined;
    if (k.length * 3 > MAX_KEY_BYTES && utf8.encode(k).length > MAX_KEY_BYTES) return undefined;
    keys.push(k);
  }
  return keys;
}

/** True when `r` is a plain array a shape can carry (at most MAX_FIELDS elements). */
export function isShapedArray(r: object): r is unknown[] {
  return Array.isArray(r) && Object.getPrototypeOf(r) === Array.prototype &&
    r.length <= MAX_FIELDS;
}
