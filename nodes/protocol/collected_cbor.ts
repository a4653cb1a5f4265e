/**
 * Collected records in CBOR, so a client gets back what `executeAndCollect()`
 * gets locally (a bigint, Map, Set, Date, typed array, undefined, -0), where
 * JSON has only its nearest forms: the worker's batches to its job master,
 * the `?records=cbor` events and the CBOR answer of
 * `GET /api/v1/jobs/:id/collect`, which the client SDK asks for. The settings
 * are the records' own (core/serde/record_cbor.ts); every number is written
 * as a float, since a CBOR integer has no -0 (9 bytes a number: these are
 * results, not the data path).
 * @module
 */

import { Decoder, Encoder } from "cbor-x";
import { RECORD_CBOR_OPTIONS } from "../../core/serde/record_cbor.ts";

/** The media type of a CBOR answer (`Accept` asks for it). */
export const CBOR_MEDIA_TYPE = "application/cbor";

const encoder = new Encoder({ ...RECORD_CBOR_OPTIONS, alwaysUseFloat: true });
const decoder = new Decoder(RECORD_CBOR_OPTIONS);

/** `value` (records, or an object holding them) as standalone CBOR bytes. */
export function encodeCollected(value: unknown): Uint8Array<ArrayBuffer> {
  // cbor-x returns a view into its working buffer: copy the bytes out.
  return new Uint8Array(encoder.encode(value));
}

/** The value of bytes written by encodeCollected. */
export function decodeCollected(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

/** Bytes of one `btoa` call: String.fromCharCode takes its arguments on the stack. */
const BASE64_CHUNK = 0x8000;

/** `bytes` in base64 (an SSE event's data is text). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + BASE64_CHUNK));
  }
  return btoa(binary);
}

/** The bytes of base64 `text`; a malformed text is a TypeError naming it. */
export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch (e) {
    throw new TypeError(`collected records: not base64 (${(e as Error).message})`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
