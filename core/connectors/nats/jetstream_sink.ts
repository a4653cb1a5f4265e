/**
 * JetStreamSink: publishes every record to a JetStream stream with a
 * `Nats-Msg-Id` de-duplication id, and awaits the stream's acknowledgement
 * of every message at each checkpoint barrier (pre-commit): a checkpoint
 * completes only when the stream stored everything published before it.
 *
 * Guarantee with checkpointing: exactly-once into the stream within its
 * duplicate window. A message's id is `<job>:<sink>:<epoch>:<subtask>:<n>`:
 * n is the record's position in the subtask's input since the epoch began,
 * and each checkpoint keeps (epoch, next n). A restored job replays the
 * records after its checkpoint, numbers them from the checkpointed n again,
 * and the server drops those it already stored. The number does not restart
 * at each barrier (a sequence within the checkpoint would not do): a replay
 * places its barriers elsewhere, and a failure between the sink's snapshot of
 * checkpoint c and c's completion would give records published after c's
 * barrier new ids in the replay (duplicates) and reuse theirs for others
 * (losses). This holds when
 * - the replay reaches the server within the stream's `duplicate_window`
 *   (default 2 minutes; `nats stream edit --dupe-window`) of the first
 *   publish: restart delay plus catching up must stay below it;
 * - the sink subtask's input replays in the same order. That is so for a
 *   sink fed by one ordered upstream (e.g. chained after a source or a map),
 *   but not where records from several channels interleave (after a keyBy,
 *   window results arrive in another order in a replay). There, give each
 *   record its own deterministic id with `setMessageId` (e.g. the window's
 *   key and end): the server then drops every replayed result.
 * A fresh start, a restore at another parallelism, and a run without
 * checkpointing open a new (random) epoch: what they replay is published
 * again (at-least-once until the first completed checkpoint), never dropped
 * for an id an earlier run used for another record.
 *
 * Batching: publishes go out through the client's write buffer, with one
 * reply subscription counting the acknowledgements (no promise per record);
 * at most `maxPendingAcks` unacknowledged messages, beyond that the sink
 * holds its task's input (backpressure).
 * @module
 */

import type { MsgHdrs, NatsConnection, Subscription } from "@nats-io/transport-node";
import type { ListState } from "../../api/state.ts";
import { ListStateDescriptor } from "../../api/state.ts";
import type { Sink } from "../file_sink.ts";
import { AbstractStreamOperator } from "../../operators/stream_operator.ts";
import { Logger } from "../../log/logger.ts";
import { type NatsServer, streamInfo, watchClosed } from "./nats_server.ts";
import { NatsConnectionBuilder } from "./nats_connection_builder.ts";

/** What a checkpoint keeps of a sink subtask: where its ids continue. */
interface SinkPosition {
  readonly subtask: number;
  readonly parallelism: number;
  readonly epoch: string;
  /** The number the next record gets. */
  readonly next: number;
}

/** Turns a record into a message payload. */
export type JetStreamSerializer<T> = (record: T) => string | Uint8Array;

interface JetStreamSinkConfig<T> {
  readonly server: NatsServer;
  readonly stream: string | undefined;
  readonly subject: (record: T) => string;
  readonly serializer: JetStreamSerializer<T>;
  readonly messageId: ((record: T) => string) | undefined;
  readonly maxPendingAcks: number;
  readonly ackTimeoutMs: number;
}

const asPayload: JetStreamSerializer<unknown> = (r) =>
  typeof r === "string" || r instanceof Uint8Array ? r : JSON.stringify(r);

/**
 * Builds a JetStream sink.
 *
 * @example
 * ```ts ignore
 * stream.sinkTo(
 *   JetStreamSink.builder<{ room: string; count: number; endMs: number }>()
 *     .setServers("nats://127.0.0.1:4222")
 *     .setStream("COUNTS")
 *     .setSubject((r) => `counts.${r.room}`)
 *     .setMessageId((r) => `${r.room}@${r.endMs}`)
 *     .build(),
 * );
 * ```
 */
export class JetStreamSinkBuilder<T> extends NatsConnectionBuilder {
  constructor() {
    super("JetStream sink");
  }
  private stream: string | undefined;
  private subject: ((record: T) => string) | undefined;
  private serializer: JetStreamSerializer<T> = asPayload;
  private messageId: ((record: T) => string) | undefined;
  private maxPendingAcks = 10_000;
  private ackTimeoutMs = 30_000;

  /** The stream the subjects go to: checked at start (it must exist). Optional but recommended. */
  setStream(stream: string): this {
    this.stream = stream;
    return this;
  }
  /** One subject for every record, or a function choosing it per record. Required. */
  setSubject(subject: string | ((record: T) => string)): this {
    this.subject = typeof subject === "string" ? () => subject : subject;
    return this;
  }
  /** The payload of a record (default: strings and bytes as they are, else JSON). */
  setSerializer(fn: JetStreamSerializer<T>): this {
    this.serializer = fn;
    return this;
  }
  /**
   * A deterministic de-duplication id per record (unique in the stream),
   * instead of epoch + subtask + position: exactly-once also where the
   * sink's input replays in another order.
   */
  setMessageId(fn: (record: T) => string): this {
    this.messageId = fn;
    return this;
  }
  /** Unacknowledged publishes before the sink holds its input (default 10000). */
  setMaxPendingAcks(n: number): this {
    this.maxPendingAcks = this.positive("max pending acks", n);
    return this;
  }
  /** How long a checkpoint waits for the acknowledgements before the task fails (default 30000 ms). */
  setAckTimeoutMs(ms: number): this {
    this.ackTimeoutMs = this.positive("ack timeout", ms);
    return this;
  }

  /** The sink; fails here when the configuration is incomplete. */
  build(): Sink {
    if (this.subject === undefined) {
      throw new TypeError("JetStreamSink needs setSubject(subject or fn)");
    }
    const server = this.server("JetStreamSink");
    const config: JetStreamSinkConfig<T> = {
      server,
      stream: this.stream,
      subject: this.subject,
      serializer: this.serializer,
      messageId: this.messageId,
      maxPendingAcks: this.maxPendingAcks,
      ackTimeoutMs: this.ackTimeoutMs,
    };
    return {
      name: `Sink: JetStream ${this.stream ?? server.label}`,
      permissions: server.permissions(),
      createOperator: () => new JetStreamSinkOperator(config),
    };
  }
}

/** Entry point: `JetStreamSink.builder<T>()...build()`. */
export const JetStreamSink = {
  builder<T>(): JetStreamSinkBuilder<T> {
    return new JetStreamSinkBuilder<T>();
  },
};

/** One subtask's publisher. */
export class JetStreamSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private nc!: NatsConnection;
  private headers!: () => MsgHdrs;
  private acks: Subscription | undefined;
  private inbox = "";
  private connection: { failure(): Error | undefined } | undefined;
  private closing = false;
  private state!: ListState<SinkPosition>;
  private idPrefix = "";
  /** The ids' epoch (chosen at a fresh start, kept by checkpoints) and the next record's number in it. */
  private epoch = "";
  private sequence = 0;
  private unacked = 0;
  private blocked = false;
  private publishError: Error | undefined;
  private drained: (() => void) | undefined;
  /** Publishes the server acknowledged as duplicates (a replay's), and how many were logged. */
  private duplicates = 0;
  private duplicatesLogged = 0;

  constructor(private readonly config: JetStreamSinkConfig<T>) {
    super();
  }

  override async open(): Promise<void> {
    const c = this.config;
    const ctx = this.ctx;
    const nats = await import("@nats-io/transport-node");
    this.headers = nats.headers;
    this.nc = await c.server.connect(`spate ${ctx.operatorName} ${ctx.subtaskIndex}`);
    this.connection = watchClosed(this.nc, c.server, () => this.closing);
    if (c.stream !== undefined) {
      const { jetstreamManager } = await import("@nats-io/jetstream");
      await streamInfo(await jetstreamManager(this.nc), c.stream, c.server);
    }
    this.inbox = nats.createInbox();
    this.acks = this.nc.subscribe(this.inbox, { callback: (err, msg) => this.onAck(err, msg) });
    this.idPrefix = `${ctx.jobId ?? "local"}:${ctx.operatorName}:`;
    // Union state: every subtask sees all positions and takes its own.
    this.state = ctx.operatorState.getUnionListState(
      new ListStateDescriptor<SinkPosition>("jetstream-sink-positions"),
    );
    const restored = [...this.state.get()];
    const own = restored.find((p) =>
      p.subtask === ctx.subtaskIndex && p.parallelism === ctx.parallelism
    );
    // A fresh start (or a rescaled restore, whose inputs interleave anew) opens a new epoch.
    this.epoch = own?.epoch ?? crypto.randomUUID().slice(0, 8);
    this.sequence = own?.next ?? 0;
  }

  processElement(record: T): void {
    if (this.publishError !== undefined) throw this.healthError();
    const c = this.config;
    const h = this.headers();
    h.set(
      "Nats-Msg-Id",
      c.messageId?.(record) ??
        `${this.idPrefix}${this.epoch}:${this.ctx.subtaskIndex}:${this.sequence++}`,
    );
    try {
      this.nc.publish(c.subject(record), c.serializer(record), { headers: h, reply: this.inbox });
    } catch (e) {
      // A closed connection throws here: report it with the server's name.
      this.publishError ??= e as Error;
      throw this.healthError();
    }
    if (++this.unacked >= c.maxPendingAcks && !this.blocked) {
      this.blocked = true;
      this.ctx.backpressure?.block();
    }
  }

  override async snapshotState(_checkpointId: number): Promise<void> {
    await this.drain();
    if (this.duplicates > this.duplicatesLogged) {
      new Logger("jetstream").info(
        `${this.ctx.operatorName} (subtask ${this.ctx.subtaskIndex}): the stream dropped ` +
          `${this.duplicates - this.duplicatesLogged} republished messages as duplicates`,
        { jobId: this.ctx.jobId },
      );
      this.duplicatesLogged = this.duplicates;
    }
    this.state.update([{
      subtask: this.ctx.subtaskIndex,
      parallelism: this.ctx.parallelism,
      epoch: this.epoch,
      next: this.sequence,
    }]);
  }

  override async close(): Promise<void> {
    try {
      if (this.nc !== undefined && !this.nc.isClosed()) await this.drain();
    } finally {
      this.closing = true;
      this.acks?.unsubscribe();
      if (this.nc !== undefined && !this.nc.isClosed()) await this.nc.close();
    }
  }

  private onAck(
    err: Error | null,
    msg: { data: Uint8Array; headers?: MsgHdrs; json<J>(): J },
  ): void {
    this.unacked--;
    const status = msg.headers?.code ?? 0;
    if (err) this.publishError ??= err;
    else if (status >= 400) {
      this.publishError ??= new Error(
        status === 503
          ? "no JetStream stream captures the published subject (503 no responders): check setSubject and the stream's subjects"
          : `publish refused: ${status} ${msg.headers?.description ?? ""}`,
      );
    } else if (msg.data[2] !== 115 /* not {"stream":..., the acknowledgement */) {
      const reply = msg.json<{ error?: { description?: string; code?: number } }>();
      if (reply.error) {
        this.publishError ??= new Error(
          `publish refused: ${reply.error.description} (${reply.error.code})`,
        );
      }
    } else if (msg.data[msg.data.length - 2] === 101 /* ...,"duplicate":true} */) {
      this.duplicates++;
    }
    if (this.blocked && this.unacked <= this.config.maxPendingAcks / 2) {
      this.blocked = false;
      this.ctx.backpressure?.unblock();
    }
    if (this.unacked === 0) this.drained?.();
  }

  /** Waits until the stream acknowledged every publish so far (the pre-commit). */
  private async drain(): Promise<void> {
    const deadline = Date.now() + this.config.ackTimeoutMs;
    while (this.unacked > 0) {
      if (this.publishError !== undefined || this.connection?.failure()) throw this.healthError();
      if (Date.now() > deadline) {
        throw new Error(
          `JetStream sink (${this.config.server.label}): ${this.unacked} publishes not ` +
            `acknowledged within ${this.config.ackTimeoutMs} ms`,
        );
      }
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        // A lost connection leaves publishes unanswered: look again.
        setTimeout(resolve, 100);
      });
      this.drained = undefined;
    }
    if (this.publishError !== undefined || this.connection?.failure()) throw this.healthError();
  }

  private healthError(): Error {
    const failure = this.connection?.failure() ?? this.publishError!;
    return new Error(
      `JetStream sink (${
        this.config.stream ?? "stream"
      } at ${this.config.server.label}): ${failure.message}`,
      { cause: failure },
    );
  }
}
