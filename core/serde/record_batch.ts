/**
 * Record batches: many records encoded into one standalone buffer. A batch of
 * records of one shape or type is a shaped batch (columns, see
 * `shaped_batch.ts`); else a batch of plain objects or arrays of numbers of
 * a few shapes is a numeric batch (see `numeric_batch.ts`); any other is one
 * cbor-x call (with record structures, so repeated object shapes are written
 * once per batch). Each batch decodes on its own, in any process, and the
 * decoder reads every format by its first byte (in-flight buffers of
 * unaligned checkpoints keep the format they were written in).
 *
 * A batch whose records carry event timestamps is the CBOR tag
 * {@linkcode TIMED_BATCH_TAG} around `[records, Float64Array]`: the
 * timestamps travel as one typed array (NaN: that record has none), and a
 * batch without any stays a plain array.
 * @module
 */

import { Decoder, Encoder, Tag } from "cbor-x";
import { NUMERIC_BATCH_MAGIC, NumericBatchDecoder, NumericBatchEncoder } from "./numeric_batch.ts";
import { RECORD_CBOR_OPTIONS } from "./record_cbor.ts";
import { SHAPED_BATCH_MAGIC, ShapedBatchDecoder, ShapedBatchEncoder } from "./shaped_batch.ts";

/** CBOR tag (first-come-first-served range) of a batch with timestamps. */
export const TIMED_BATCH_TAG = 51966;

/**
 * Batches after a stream's batch was neither shaped nor numeric before it
 * tries again: a stream of mixed records pays for one failed attempt per
 * this many batches.
 */
const COLUMNS_RETRY_BATCHES = 64;

/** Encodes arrays of records; one instance per producer. */
export class RecordBatchEncoder {
  private readonly encoder = new Encoder(RECORD_CBOR_OPTIONS);
  private readonly shaped = new ShapedBatchEncoder();
  private readonly numeric = new NumericBatchEncoder();
  private skipColumns = 0;

  /**
   * The records (and their timestamps, one per record) as a fresh ArrayBuffer
   * of exactly the encoded size (transferable).
   */
  encode(records: readonly unknown[], timestamps?: Float64Array): ArrayBuffer {
    if (this.skipColumns === 0) {
      const shaped = this.shaped.encode(records, timestamps);
      if (shaped !== undefined) return shaped;
      const numeric = this.numeric.encode(records, timestamps);
      if (numeric !== undefined) return numeric;
      this.skipColumns = COLUMNS_RETRY_BATCHES;
    } else this.skipColumns--;
    const value = timestamps === undefined
      ? records
      : new Tag([records, timestamps], TIMED_BATCH_TAG);
    const view = this.encoder.encode(value);
    // cbor-x returns a view into its working buffer: copy out the batch.
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  }
}

/** Decodes batches written by RecordBatchEncoder. */
export class RecordBatchDecoder {
  private readonly decoder = new Decoder(RECORD_CBOR_OPTIONS);
  private readonly numeric = new NumericBatchDecoder();
  private readonly shaped = new ShapedBatchDecoder();
  /** Timestamps of the batch `decode` returned last, or undefined when it had none. */
  timestamps: Float64Array | undefined;

  decode(buffer: ArrayBuffer | Uint8Array): unknown[] {
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    if (bytes[0] === SHAPED_BATCH_MAGIC || bytes[0] === NUMERIC_BATCH_MAGIC) {
      const { records, timestamps } = bytes[0] === SHAPED_BATCH_MAGIC
        ? this.shaped.decode(bytes)
        : this.numeric.decode(bytes);
      this.timestamps = timestamps;
      return records;
    }
    const value = this.decoder.decode(bytes);
    this.timestamps = undefined;
    if (Array.isArray(value)) return value;
    if (value instanceof Tag && value.tag === TIMED_BATCH_TAG && Array.isArray(value.value)) {
      const [records, timestamps] = value.value as [unknown, unknown];
      if (
        Array.isArray(records) && timestamps instanceof Float64Array &&
        timestamps.length === records.length
      ) {
        this.timestamps = timestamps;
        return records;
      }
    }
    throw new TypeError("record batch is not a CBOR array (or a timed batch)");
  }
}
