/**
 * What the JetStream tests share: a stream set up and published to on a real
 * nats-server, a reader polled to a count, the reader's context.
 * @module
 */

import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { natsSkipReason } from "./nats.ts";
import type { RecordOutput } from "../../core/operators/stream_operator.ts";
import type { SourceReader } from "../../core/connectors/source_reader.ts";
import type { JetStreamRecord } from "../../core/connectors/nats/mod.ts";

const skip = natsSkipReason();
if (skip) console.warn(`JetStream tests skipped: ${skip}`);
/** Whether the JetStream tests are skipped (no nats-server here). */
export const ignore = skip !== undefined;
export const open = { available: true };
export const ctx = { operatorName: "js", subtaskIndex: 0, parallelism: 1, checkpointing: true };

/** Creates stream `name` on `subjects`; returns a connection to the server. */
export async function setup(
  url: string,
  name: string,
  subjects: string[],
): Promise<NatsConnection> {
  const nc = await connect({ servers: url });
  await (await jetstreamManager(nc)).streams.add({ name, subjects });
  return nc;
}

/** Publishes messages "from".."to-1", message i on `subject(i)`. */
export async function publish(
  nc: NatsConnection,
  subject: (i: number) => string,
  from: number,
  to: number,
) {
  const js = jetstream(nc);
  const acks = [];
  for (let i = from; i < to; i++) acks.push(js.publish(subject(i), String(i)));
  await Promise.all(acks);
}

/** Polls `reader` until it emitted `count` records in all (deadline-bounded; a reader's error fails at once). */
export async function pollUntil(
  reader: SourceReader<JetStreamRecord>,
  got: string[],
  count: number,
) {
  const out = { collect: (r: JetStreamRecord) => got.push(r.data) };
  const deadline = Date.now() + 10_000;
  while (got.length < count) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after 10000 ms waiting for ${count} records (got ${got.length})`);
    }
    await reader.pollNext(out as RecordOutput<JetStreamRecord>, open, count - got.length);
  }
}

export const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => String(from + i));

/**
 * nats.js's Node transport (3.4) removes its socket listeners while a connection closes
 * (and between reading INFO and setting up its handlers); a reset the server sends in
 * that window surfaces as an uncaught ECONNRESET (seen once in a full run, when the
 * server stops). It is the library's socket, not a failure of what a test checks.
 */
export function tolerateTransportResets(): void {
  globalThis.addEventListener("error", (e) => {
    if ((e.error as { code?: string } | undefined)?.code === "ECONNRESET") e.preventDefault();
  });
}
