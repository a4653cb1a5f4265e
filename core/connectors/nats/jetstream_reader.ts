/**
 * One subtask's reader of a {@linkcode JetStreamSource}: a pull consumer per
 * assigned split, two pull requests of `batchSize` messages in flight per
 * split, the messages delivered by callback into one buffer (no promise per
 * message), and the stream sequence of the last emitted message per split as
 * the checkpointed position.
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import type { Consumer, ConsumerMessages, JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader } from "../source_reader.ts";
import type { JetStreamSourceConfig } from "./jetstream_source.ts";
import { streamInfo, watchClosed } from "./nats_server.ts";
import { createSplitConsumer, NANOS_PER_MS, startPosition } from "./jetstream_consumers.ts";

/** A split's checkpointed position: [subject filter, last emitted stream sequence]. */
type Position = [filter: string, seq: number];

/** Pull requests in flight per split. */
const FETCHES_IN_FLIGHT = 2;
/** Emitted messages kept at the buffer's head before it is compacted. */
const COMPACT_AFTER_MESSAGES = 4096;
/** How long an idle poll waits for messages before it returns to the task. */
const IDLE_WAIT_MS = 20;

interface Split {
  readonly index: number;
  readonly filter: string;
  consumer?: Consumer;
  /** Name of the ephemeral consumer (deleted at close), undefined for a durable one. */
  ephemeral?: string;
  /** Last sequence received (redeliveries at or below it are dropped). */
  receivedSeq: number;
  /**
   * The consumer's delivery sequence of the last message received (a consumer
   * counts from 1): a message after a gap means deliveries went to a pull
   * request given up on.
   */
  deliveredSeq: number;
  /** Last sequence emitted: the checkpointed position. */
  emittedSeq: number;
  /** Bumped when the consumer is created anew: deliveries to an older one are dropped. */
  generation: number;
  /** A pull lost its heartbeats: the consumer is created anew at the next poll. */
  stale: boolean;
  /** The last emitted message, acknowledged (AckPolicy.All) when its checkpoint completes. */
  emittedMsg?: JsMsg;
  fetches: Set<ConsumerMessages>;
}

/** One subtask's share of the splits. */
export class JetStreamSourceReader<T> implements SourceReader<T> {
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private connection: { failure(): Error | undefined } | undefined;
  private closing = false;
  private splits: Split[] = [];
  private started = false;
  private readonly restored = new Map<string, number>();
  /** Received, not yet emitted: records and the split each came from. */
  private records: T[] = [];
  private origins: Split[] = [];
  private seqs: number[] = [];
  private msgs: JsMsg[] = [];
  private head = 0;
  /** Durable consumers: the last message per split of each taken checkpoint. */
  private readonly pendingAcks = new Map<number, JsMsg[]>();
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private checkpointing = false;

  constructor(private readonly config: JetStreamSourceConfig<T>) {}

  async open(ctx: SourceContext): Promise<void> {
    const c = this.config;
    this.checkpointing = ctx.checkpointing === true;
    this.nc = await c.server.connect(`spate ${ctx.operatorName} ${ctx.subtaskIndex}`);
    this.connection = watchClosed(this.nc, c.server, () => this.closing);
    const { jetstreamManager } = await import("@nats-io/jetstream");
    try {
      this.jsm = await jetstreamManager(this.nc);
    } catch (e) {
      throw new Error(
        `NATS server ${c.server.label} has no JetStream (start it with -js): ${
          (e as Error).message
        }`,
        { cause: e },
      );
    }
    await streamInfo(this.jsm, c.stream, c.server);
    c.filters.forEach((filter, index) => {
      if (index % ctx.parallelism !== ctx.subtaskIndex) return;
      this.splits.push({
        index,
        filter,
        receivedSeq: 0,
        deliveredSeq: 0,
        emittedSeq: 0,
        generation: 0,
        stale: false,
        fetches: new Set(),
      });
    });
  }

  /** Every subtask's positions: a split resumes after the highest sequence any of them saw. */
  restoreState(states: readonly unknown[]): void {
    for (const state of states) {
      for (const [filter, seq] of (state as Position[] | null) ?? []) {
        this.restored.set(filter, Math.max(seq, this.restored.get(filter) ?? 0));
      }
    }
  }

  async pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    if (!this.started) await this.start();
    const failure = this.failure ?? this.connection?.failure();
    if (failure !== undefined) throw failure;
    for (const split of this.splits) if (split.stale) await this.resume(split);
    this.pull();
    if (this.head === this.records.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, IDLE_WAIT_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const end = Math.min(this.records.length, this.head + maxRecords);
    let i = this.head;
    const durable = this.config.durableName !== undefined;
    for (; i < end && gate.available; i++) {
      output.collect(this.records[i]);
      const split = this.origins[i];
      split.emittedSeq = this.seqs[i];
      if (durable) split.emittedMsg = this.msgs[i];
    }
    this.head = i;
    if (this.head === this.records.length || this.head > COMPACT_AFTER_MESSAGES) {
      this.records = this.records.slice(this.head);
      this.origins = this.origins.slice(this.head);
      this.seqs = this.seqs.slice(this.head);
      if (durable) this.msgs = this.msgs.slice(this.head);
      this.head = 0;
    }
    if (durable && !this.checkpointing) this.ackEmitted();
    return true;
  }

  /** Without checkpoints: acknowledges what was emitted (one AckPolicy.All ack per split). */
  private ackEmitted(): void {
    for (const s of this.splits) {
      s.emittedMsg?.ack();
      s.emittedMsg = undefined;
    }
  }

  snapshotState(checkpointId: number): Position[] {
    const last: JsMsg[] = [];
    for (const s of this.splits) {
      if (s.emittedMsg !== undefined) last.push(s.emittedMsg);
      s.emittedMsg = undefined;
    }
    if (last.length > 0) this.pendingAcks.set(checkpointId, last);
    return this.splits.map((s) => [s.filter, s.emittedSeq]);
  }

  notifyCheckpointComplete(checkpointId: number): void {
    // AckPolicy.All: acknowledging a split's last message acknowledges every one before it.
    const latest = new Map<string, JsMsg>();
    for (const [id, msgs] of this.pendingAcks) {
      if (id > checkpointId) continue;
      for (const m of msgs) latest.set(m.info.consumer, m);
      this.pendingAcks.delete(id);
    }
    if (this.nc?.isClosed() === false) { for (const m of latest.values()) m.ack(); }
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.splits) stopFetches(s);
    if (this.nc === undefined || this.nc.isClosed()) return;
    for (const s of this.splits) {
      if (s.ephemeral !== undefined) {
        await this.jsm!.consumers.delete(this.config.stream, s.ephemeral).catch(() => {});
      }
    }
    // Flushes the acknowledgements sent so far; durable consumers stay on the server.
    await this.nc.drain().catch(() => this.nc!.close());
  }

  /** Creates each split's consumer at its position (restored, durable, or the start policy). */
  private async start(): Promise<void> {
    this.started = true;
    for (const split of this.splits) {
      const restored = this.restored.get(split.filter);
      await this.createConsumer(
        split,
        await startPosition(this.jsm!, this.config, split, restored),
      );
      split.emittedSeq = split.receivedSeq;
    }
  }

  /**
   * A pull lost its heartbeats (a stalled server or host): deliveries may have gone
   * to it, and with them messages this reader never saw. The split's pulls stop and
   * its consumer is created anew after the last message received, so nothing is
   * lost and nothing is read twice.
   */
  private async resume(split: Split): Promise<void> {
    split.stale = false;
    stopFetches(split);
    await this.createConsumer(split, split.receivedSeq + 1);
  }

  /** Replaces the split's consumer with one at `startSeq`; its delivery count starts again. */
  private async createConsumer(split: Split, startSeq: number | undefined): Promise<void> {
    const c = await createSplitConsumer(this.nc!, this.jsm!, this.config, split, startSeq);
    split.consumer = c.consumer;
    split.ephemeral = c.ephemeral;
    split.deliveredSeq = 0;
    split.receivedSeq = Math.max(split.receivedSeq, c.startsAfter);
  }

  #missedHeartbeatPulls = 0;

  /** Pulls that ended because two of their heartbeats did not arrive (each was pulled again). */
  get missedHeartbeatPulls(): number {
    return this.#missedHeartbeatPulls;
  }

  /** Keeps up to two pull requests in flight per split while the buffer has room. */
  private pull(): void {
    const c = this.config;
    if (this.records.length - this.head >= c.batchSize) return;
    for (const split of this.splits) {
      const generation = split.generation;
      while (split.fetches.size < FETCHES_IN_FLIGHT) {
        const opts = {
          max_messages: c.batchSize,
          expires: c.fetchExpiresMs,
          // Two missed heartbeats end a fetch in error: at half the expiry, never racing its end.
          idle_heartbeat: Math.max(500, c.fetchExpiresMs / 4),
          // Undocumented for fetch but honoured: messages by callback, no promise each.
          callback: (m: JsMsg) => {
            if (split.generation === generation) this.receive(split, m);
          },
        };
        const started = split.consumer!.fetch(opts);
        const placeholder = {} as ConsumerMessages;
        split.fetches.add(placeholder);
        started.then((messages) => {
          split.fetches.delete(placeholder);
          if (split.generation !== generation || this.closing) return messages.stop();
          split.fetches.add(messages);
          messages.closed().then((err) => {
            split.fetches.delete(messages);
            if (split.generation !== generation || this.closing) return;
            // Two heartbeats missed (a stalled host or server): the next poll creates the
            // consumer anew after the last message received (resume).
            if (err) {
              if (heartbeatsMissed(err)) {
                this.#missedHeartbeatPulls++;
                this.abandon(split);
              } else this.fail(split, err as Error);
            }
            this.wake?.();
          });
        }, (err) => {
          split.fetches.delete(placeholder);
          if (split.generation === generation && !this.closing) this.fail(split, err as Error);
        });
      }
    }
  }

  private receive(split: Split, m: JsMsg): void {
    const info = m.info;
    const delivered = info.deliverySequence;
    if (delivered > split.deliveredSeq + 1) {
      // Deliveries went to a pull given up on: this message and the rest of its consumer's
      // are dropped, and the consumer is created anew after the last message received.
      this.abandon(split);
      return;
    }
    split.deliveredSeq = delivered;
    const seq = m.seq;
    if (seq <= split.receivedSeq) return; // a redelivery (durable consumers)
    split.receivedSeq = seq;
    let record: T;
    try {
      record = this.config.deserializer(m.data, {
        subject: m.subject,
        seq,
        timestampMs: info.timestampNanos / NANOS_PER_MS,
        arrivalMs: Date.now(),
      });
    } catch (e) {
      // Failed at the next poll: a throw here would land inside the client's message handling.
      this.failure ??= new Error(
        `JetStream source: cannot deserialize message ${seq} of stream '${this.config.stream}' ` +
          `(subject '${m.subject}'): ${(e as Error).message}`,
        { cause: e },
      );
      return;
    }
    this.records.push(record);
    this.origins.push(split);
    this.seqs.push(seq);
    if (this.config.durableName !== undefined) this.msgs.push(m);
    this.wake?.();
  }

  /** Drops whatever the split's current consumer still delivers; the next poll resumes it. */
  private abandon(split: Split): void {
    split.generation++;
    split.stale = true;
  }

  private fail(split: Split, err: Error): void {
    this.failure ??= new Error(
      `JetStream source: pulling from ${this.streamOf(split)} at NATS server ` +
        `${this.config.server.label} failed: ${err.message}`,
      { cause: err },
    );
    this.wake?.();
  }

  /** "stream 'S' (subjects 'F')": what a split reads, for messages. */
  private streamOf(split: Split): string {
    return `stream '${this.config.stream}'` +
      (split.filter ? ` (subjects '${split.filter}')` : "");
  }
}

/** Stops the split's pulls (those still starting are stopped once they started: see pull). */
function stopFetches(split: Split): void {
  for (const f of split.fetches) if ("stop" in f) f.stop();
  split.fetches.clear();
}

/** Whether a pull ended because two of its idle heartbeats did not arrive. */
function heartbeatsMissed(err: unknown): boolean {
  return err instanceof Error && err.message === "heartbeats missed";
}
