/**
 * How a channel's messages travel as frames on an HTTP/2 stream: the mapping
 * both data planes share (the relay through the worker's main thread, and
 * the direct streams between slots).
 * @module
 */

import { type Frame, FRAME_VERSION, type FrameStream } from "../../rpc/frames.ts";
import { isChannelId } from "../../protocol/ids.ts";
import type { ChannelMessage } from "./channel.ts";

/**
 * Writes a producer's message as its frame. Only encoded buffers cross a
 * process: records as objects stay within one slot. Credits go the other way
 * (see `creditFrameCount`) and are refused here.
 */
export function writeChannelMessage(out: FrameStream, m: ChannelMessage): void {
  switch (m.t) {
    case "buffer":
      if (!(m.data instanceof ArrayBuffer)) {
        throw new Error("an unencoded batch reached a channel to another process");
      }
      out.writeBuffer(new Uint8Array(m.data), m.records);
      return;
    case "barrier":
      out.write({ v: FRAME_VERSION, t: "barrier", id: m.id, ts: m.timestampMs, sp: m.savepoint });
      return;
    case "cancelBarrier":
      out.write({ v: FRAME_VERSION, t: "cancelBarrier", id: m.id });
      return;
    case "watermark":
      out.write({ v: FRAME_VERSION, t: "watermark", ts: m.ts });
      return;
    case "status":
      out.write({ v: FRAME_VERSION, t: "status", idle: m.idle });
      return;
    case "end":
      out.write({ v: FRAME_VERSION, t: "end", ...(m.suspend ? { suspend: true } : {}) });
      return;
    case "credit":
    case "error":
      throw new Error(`a producer does not send '${m.t}' messages`);
  }
}

/**
 * The consumer's message for a frame from its producer, with the buffer to
 * transfer (a buffer frame's payload, handed over without a copy when it has
 * a backing buffer of its own). An `error` frame or an unknown one throws.
 */
export function channelMessageOf(f: Frame): { message: ChannelMessage; transfer?: ArrayBuffer } {
  if (f.t === "buffer" && f.data instanceof Uint8Array && typeof f.records === "number") {
    const d = f.data;
    const data = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength
      ? d.buffer as ArrayBuffer
      : d.slice().buffer;
    return { message: { t: "buffer", data, records: f.records }, transfer: data };
  }
  if (f.t === "barrier" && typeof f.id === "number") {
    return {
      message: { t: "barrier", id: f.id, timestampMs: Number(f.ts), savepoint: f.sp === true },
    };
  }
  if (f.t === "cancelBarrier" && typeof f.id === "number") {
    return { message: { t: "cancelBarrier", id: f.id } };
  }
  if (f.t === "watermark" && typeof f.ts === "number") {
    return { message: { t: "watermark", ts: f.ts } };
  }
  if (f.t === "status" && typeof f.idle === "boolean") {
    return { message: { t: "status", idle: f.idle } };
  }
  if (f.t === "end") {
    return { message: f.suspend === true ? { t: "end", suspend: true } : { t: "end" } };
  }
  if (f.t === "error") throw new Error(String(f.message));
  throw new Error(`unexpected '${f.t}' frame on a data stream`);
}

/** The credits of a consumer's frame; throws on anything but a credit with a positive integer. */
export function creditFrameCount(f: Frame): number {
  if (f.t !== "credit" || typeof f.n !== "number" || !(f.n > 0) || !Number.isInteger(f.n)) {
    throw new Error(`expected a credit frame with a positive integer, got '${f.t}'`);
  }
  return f.n;
}

/**
 * The channel a data stream opens: its first frame (`subscribe` from a
 * consumer, `publish` from a producer that dials), which must come within
 * `firstFrameTimeoutMs` and name a well-formed channel id.
 */
export async function readSubscription(
  frames: AsyncGenerator<Frame>,
  firstFrameTimeoutMs: number,
  kind: "subscribe" | "publish" = "subscribe",
): Promise<string> {
  const ms = firstFrameTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${kind} frame within ${ms} ms`)), ms);
  });
  try {
    const first = await Promise.race([frames.next(), late]);
    const channel = first.done ? undefined : first.value.channel;
    if (first.done || first.value.t !== kind || typeof channel !== "string") {
      throw new Error(`a data stream must start with a ${kind} frame naming its channel`);
    }
    if (!isChannelId(channel)) throw new Error(`'${channel.slice(0, 100)}' is no channel id`);
    return channel;
  } finally {
    clearTimeout(timer);
  }
}
