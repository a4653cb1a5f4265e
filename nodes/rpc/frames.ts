/**
 * Wire frames: `u32 length (big endian) | CBOR item`, the item a map
 * `{ v: 1, t: type, ... }`. Every stream between spate processes (control and
 * data) carries these. The decoder is incremental and strict: an oversized
 * length, undecodable CBOR, a non-map item or an unknown version is a
 * FrameError, which the stream's owner answers by closing the stream.
 * @module
 */

import { Decoder, Encoder } from "cbor-x";
import { OPTIONS } from "../../core/config/options.ts";

/** Protocol version of every frame. */
export const FRAME_VERSION = 1;
/** Default largest frame (length prefix excluded). */
export const DEFAULT_MAX_FRAME_BYTES: number = OPTIONS.maxFrameBytes.default;

/** A decoded frame. */
export interface Frame {
  readonly v: number;
  readonly t: string;
  readonly [field: string]: unknown;
}

/** A frame that breaks the protocol; the stream that carried it is closed. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

const encoder = new Encoder({ useRecords: false, mapsAsObjects: true });

const ascii = (s: string) => [...new TextEncoder().encode(s)];

/**
 * CBOR of a buffer frame up to its payload: `{ v: 1, t: "buffer", records:
 * u32, data: bytes(u32) }`. FrameStream.writeBuffer sends it followed by the
 * payload as is; FrameDecoder recognises it and copies the payload once.
 */
const BUFFER_HEADER = Uint8Array.from([
  [0xa4], // map of 4 pairs
  [0x61, ...ascii("v"), FRAME_VERSION],
  [0x61, ...ascii("t"), 0x66, ...ascii("buffer")],
  [0x67, ...ascii("records"), 0x1a, 0, 0, 0, 0], // u32, set per frame
  [0x64, ...ascii("data"), 0x5a, 0, 0, 0, 0], // byte string of u32 length, set per frame
].flat());
/** Offsets in BUFFER_HEADER of the record count and of the payload length (u32, big endian). */
const BUFFER_RECORDS_AT = 1 + 3 + 9 + 8 + 1;
const BUFFER_LENGTH_AT = BUFFER_HEADER.length - 4;

/** Encodes one frame with its length prefix. */
export function encodeFrame(frame: Frame, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): Uint8Array {
  const body = encoder.encode(frame);
  if (body.length > maxFrameBytes) {
    throw new FrameError(`frame '${frame.t}' of ${body.length} bytes exceeds ${maxFrameBytes}`);
  }
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Splits a byte stream into frames; feed chunks in order. Chunks are kept as
 * they arrive and each frame's bytes are gathered once, so a large frame
 * that arrives in many small pieces costs one copy, not one per piece.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private head = 0; // read offset in chunks[0]
  private total = 0; // unread bytes
  private readonly decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** Frames completed by `chunk`; throws FrameError on a broken frame. */
  push(chunk: Uint8Array): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.total >= 4) {
      const header = this.peek(4);
      const len = new DataView(header.buffer, header.byteOffset, 4).getUint32(0);
      if (len > this.maxFrameBytes) {
        throw new FrameError(
          `frame length ${len} exceeds the limit of ${this.maxFrameBytes} bytes`,
        );
      }
      if (len === 0) throw new FrameError("empty frame");
      if (this.total < 4 + len) break;
      this.take(4);
      frames.push(
        this.isBufferFrame(len) ? this.takeBufferFrame(len) : this.decode(this.take(len)),
      );
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pendingBytes(): number {
    return this.total;
  }

  /** Whether the next frame (of `len` bytes, prefix consumed) was written by writeBuffer. */
  private isBufferFrame(len: number): boolean {
    const h = BUFFER_HEADER.length;
    if (len < h) return false;
    const head = this.peek(h);
    for (let i = 0; i < h; i++) {
      const field = (i >= BUFFER_RECORDS_AT && i < BUFFER_RECORDS_AT + 4) || i >= BUFFER_LENGTH_AT;
      if (!field && head[i] !== BUFFER_HEADER[i]) return false;
    }
    return new DataView(head.buffer, head.byteOffset, h).getUint32(BUFFER_LENGTH_AT) === len - h;
  }

  /** A writeBuffer frame: its payload copied once into a buffer of its own. */
  private takeBufferFrame(len: number): Frame {
    const h = BUFFER_HEADER.length;
    const head = this.take(h);
    const records = new DataView(head.buffer, head.byteOffset, h).getUint32(BUFFER_RECORDS_AT);
    return { v: FRAME_VERSION, t: "buffer", records, data: this.gather(len - h, true) };
  }

  /** The next `n` unread bytes, without consuming them. */
  private peek(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first.length - this.head >= n) return first.subarray(this.head, this.head + n);
    return this.gather(n, false);
  }

  /** Consumes the next `n` bytes: a view when they lie in one chunk, else one copy. */
  private take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    return this.gather(n, true);
  }

  /** The next `n` bytes copied into a new buffer of exactly `n` bytes. */
  private gather(n: number, consume: boolean): Uint8Array {
    const out = new Uint8Array(n);
    let filled = 0, i = 0, off = this.head;
    while (filled < n) {
      const c = this.chunks[i];
      const k = Math.min(c.length - off, n - filled);
      out.set(c.subarray(off, off + k), filled);
      filled += k;
      off = 0;
      i++;
    }
    if (consume) this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.total -= n;
    while (n > 0) {
      const rest = this.chunks[0].length - this.head;
      if (n < rest) {
        this.head += n;
        return;
      }
      n -= rest;
      this.chunks.shift();
      this.head = 0;
    }
  }

  private decode(bytes: Uint8Array): Frame {
    let item: unknown;
    try {
      item = this.decoder.decode(bytes);
    } catch (e) {
      throw new FrameError(`undecodable CBOR frame: ${(e as Error).message}`);
    }
    if (
      item === null || typeof item !== "object" || Array.isArray(item) || item instanceof Uint8Array
    ) {
      throw new FrameError("a frame must be a CBOR map");
    }
    const f = item as Record<string, unknown>;
    if (f.v !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${String(f.v)}`);
    if (typeof f.t !== "string") throw new FrameError("frame without a string type 't'");
    return f as Frame;
  }
}

/**
 * Reads frames from a byte stream until it ends. A broken frame throws
 * FrameError; a stream that ends mid-frame throws FrameError (truncated).
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array>,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): AsyncGenerator<Frame> {
  const decoder = new FrameDecoder(maxFrameBytes);
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const f of decoder.push(value)) yield f;
    }
  } finally {
    reader.releaseLock();
  }
  if (decoder.pendingBytes > 0) {
    throw new FrameError(`stream ended inside a frame (${decoder.pendingBytes} bytes left over)`);
  }
}

/** A writable frame sink over a ReadableStream's controller (a response or request body). */
export class FrameStream {
  readonly readable: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private closed = false;

  constructor(private readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => {
        this.closed = true;
      },
    });
  }

  /** Queues a frame; false when the stream is already closed. */
  write(frame: Frame): boolean {
    if (this.closed) return false;
    this.controller.enqueue(encodeFrame(frame, this.maxFrameBytes));
    return true;
  }

  /**
   * Queues a buffer frame without re-encoding its payload: a fixed CBOR
   * header, then `data` itself (no copy, no allocation of its size). It
   * decodes as `{ v, t: "buffer", records, data }`, like write() would.
   */
  writeBuffer(data: Uint8Array, records: number): boolean {
    if (this.closed) return false;
    const h = BUFFER_HEADER.length;
    if (h + data.byteLength > this.maxFrameBytes) {
      throw new FrameError(
        `frame 'buffer' of ${h + data.byteLength} bytes exceeds ${this.maxFrameBytes}`,
      );
    }
    const head = new Uint8Array(4 + h);
    const view = new DataView(head.buffer);
    view.setUint32(0, h + data.byteLength);
    head.set(BUFFER_HEADER, 4);
    view.setUint32(4 + BUFFER_RECORDS_AT, records);
    view.setUint32(4 + BUFFER_LENGTH_AT, data.byteLength);
    this.controller.enqueue(head);
    this.controller.enqueue(data);
    return true;
  }

  /** Bytes queued and not yet read by the transport (for flow control). */
  get queuedBytes(): number {
    return Math.max(0, -(this.controller.desiredSize ?? 0));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.controller.close();
    } catch { /* already closed by the reader */ }
  }

  /** Sends an error frame, then closes. */
  fail(message: string): void {
    this.write({ v: FRAME_VERSION, t: "error", message });
    this.close();
  }
}
