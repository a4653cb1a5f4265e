/**
 * Record batches: many records encoded by one CBOR call into one standalone
 * buffer (cbor-x with record structures, so repeated object shapes are written
 * once per batch). Each batch decodes on its own, in any process.
 * @module
 */

import { Decoder, Encoder } from "cbor-x";

/** Encodes arrays of records; one instance per producer. */
export class RecordBatchEncoder {
  private readonly encoder = new Encoder({ useRecords: true });

  /** The records as a fresh ArrayBuffer of exactly the encoded size (transferable). */
  encode(records: readonly unknown[]): ArrayBuffer {
    const view = this.encoder.encode(records);
    // cbor-x returns a view into its working buffer: copy out the batch.
    return view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer;
  }
}

/** Decodes batches written by RecordBatchEncoder. */
export class RecordBatchDecoder {
  private readonly decoder = new Decoder({ useRecords: true });

  decode(buffer: ArrayBuffer | Uint8Array): unknown[] {
    const bytes = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    const records = this.decoder.decode(bytes);
    if (!Array.isArray(records)) throw new TypeError("record batch is not a CBOR array");
    return records;
  }
}
