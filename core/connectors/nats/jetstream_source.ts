/**
 * JetStreamSource: reads a JetStream stream through pull consumers, in
 * batches, with the consumed stream sequence in spate's checkpoints.
 *
 * Guarantee with checkpointing: exactly-once into spate's state. A reader's
 * snapshot holds, per split, the stream sequence of the last message it
 * emitted; a restored reader creates its consumer at that sequence + 1, so
 * the messages after the checkpoint are read again and nothing before it.
 *
 * Parallel readers: a split is one subject filter of the stream
 * (`setSubjectFilters`; default one split, the whole stream). Split j is read
 * by subtask j % parallelism, each through a consumer of its own; more
 * readers than splits leave readers idle. Partition the stream's subjects
 * (e.g. with a server-side subject mapping `events.*` ->
 * `events.{{partition(4,1)}}.{{wildcard(1)}}`) to read it in parallel. The
 * positions are kept per split, so a job restores at another parallelism.
 *
 * Consumers: without a durable name each split gets an ephemeral consumer
 * (no acks, in memory, removed by the server once inactive for `setInactiveThresholdMs`). With
 * `setDurableName` each split has a durable consumer with AckPolicy.All,
 * reset to the checkpointed sequence on restore and acknowledged up to a
 * checkpoint's position when that checkpoint completed, so the server (an
 * interest or work-queue stream) and tools see the job's progress. Without
 * checkpointing a durable consumer is acknowledged as messages are emitted
 * (at-most-once across failures) and an ephemeral one starts again at
 * `setStartFrom`.
 * @module
 */

import type { JobPermissions } from "../../config/job_permissions.ts";
import type { SourceSpec } from "../source_reader.ts";
import type { NatsServer } from "./nats_server.ts";
import { NatsConnectionBuilder } from "./nats_connection_builder.ts";
import { JetStreamSourceReader } from "./jetstream_reader.ts";

/** What a message gives the deserializer besides its payload. */
export interface JetStreamMessageInfo {
  readonly subject: string;
  /** The message's stream sequence. */
  readonly seq: number;
  /** When the server stored the message (ms): the same in a replay, a good event time. */
  readonly timestampMs: number;
  /** Wall-clock ms when the reader received it (event time by arrival). */
  readonly arrivalMs: number;
}

/** The default record: subject, sequence, payload as UTF-8 text and the server's timestamp. */
export interface JetStreamRecord {
  readonly subject: string;
  readonly seq: number;
  readonly data: string;
  readonly timestampMs: number;
}

/** Turns a message into a record. */
export type JetStreamDeserializer<T> = (data: Uint8Array, info: JetStreamMessageInfo) => T;

/** Where a reader starts a split that no checkpoint and no durable consumer positions. */
export const JETSTREAM_START_POSITIONS = ["all", "new"] as const;
/** See {@linkcode JETSTREAM_START_POSITIONS}; a number is a stream sequence. */
export type JetStreamStartPosition = typeof JETSTREAM_START_POSITIONS[number] | number;

/** The source's settings, as its readers get them. */
export interface JetStreamSourceConfig<T> {
  readonly server: NatsServer;
  readonly stream: string;
  /** Subject filters, one split each; `""` is the whole stream. */
  readonly filters: readonly string[];
  readonly durableName: string | undefined;
  readonly startFrom: JetStreamStartPosition;
  readonly batchSize: number;
  readonly fetchExpiresMs: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly inactiveThresholdMs: number;
  readonly deserializer: JetStreamDeserializer<T>;
}

const decoder = new TextDecoder();
const textRecord: JetStreamDeserializer<JetStreamRecord> = (data, info) => ({
  subject: info.subject,
  seq: info.seq,
  data: decoder.decode(data),
  timestampMs: info.timestampMs,
});

/**
 * Builds a JetStream source, in Flink's builder style.
 *
 * @example
 * ```ts ignore
 * const source = JetStreamSource.builder()
 *   .setServers("nats://127.0.0.1:4222")
 *   .setStream("EVENTS")
 *   .setSubjectFilters("events.0.>", "events.1.>")
 *   .setDeserializer((data) => JSON.parse(new TextDecoder().decode(data)))
 *   .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "events");
 * ```
 */
export class JetStreamSourceBuilder<T> extends NatsConnectionBuilder {
  constructor() {
    super("JetStream");
  }
  private stream: string | undefined;
  private filters: string[] = [];
  private durableName: string | undefined;
  private startFrom: JetStreamStartPosition = "all";
  private batchSize = 1000;
  private fetchExpiresMs = 10_000;
  private ackWaitMs = 600_000;
  private maxAckPending = 1_000_000;
  private inactiveThresholdMs = 300_000;
  private deserializer: JetStreamDeserializer<unknown> = textRecord;

  /** The stream to read. Required; the job fails at start when it does not exist. */
  setStream(stream: string): this {
    this.stream = stream;
    return this;
  }
  /** Subject filters of the stream, one split each (default: the whole stream as one split). */
  setSubjectFilters(...filters: string[]): this {
    this.filters.push(...filters);
    return this;
  }
  /**
   * Durable consumers named `<name>` (one split) or `<name>-<j>`, acknowledged
   * (AckPolicy.All) up to each completed checkpoint's position. Default:
   * ephemeral consumers without acks.
   */
  setDurableName(name: string): this {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new TypeError(`JetStream durable name '${name}' may hold only A-Z a-z 0-9 _ -`);
    }
    this.durableName = name;
    return this;
  }
  /**
   * Where a split starts when neither a checkpoint nor a durable consumer
   * positions it: "all" (default, the first message), "new", or a stream sequence.
   */
  setStartFrom(start: JetStreamStartPosition): this {
    const ok = typeof start === "number"
      ? Number.isInteger(start) && start > 0
      : (JETSTREAM_START_POSITIONS as readonly string[]).includes(start);
    if (!ok) {
      throw new RangeError(`JetStream start must be "all", "new" or a sequence >= 1, got ${start}`);
    }
    this.startFrom = start;
    return this;
  }
  /** Messages one pull request asks for (default 1000); two requests per split are in flight. */
  setBatchSize(n: number): this {
    this.batchSize = this.positive("batch size", n);
    return this;
  }
  /**
   * How long a pull request waits for messages (default 10000 ms; at least
   * 2000). Messages are emitted as they arrive, so this bounds only how long
   * an idle request lives; a server silent for half of it fails the reader.
   */
  setFetchExpiresMs(ms: number): this {
    this.fetchExpiresMs = this.positive("fetch expiry", ms);
    if (ms < 2000) throw new RangeError("JetStream fetch expiry must be at least 2000 ms");
    return this;
  }
  /** Durable consumers: time before the server redelivers an unacknowledged message (default 600000 ms). */
  setAckWaitMs(ms: number): this {
    this.ackWaitMs = this.positive("ack wait", ms);
    return this;
  }
  /** Durable consumers: messages delivered and not yet acknowledged (default 1000000). */
  setMaxAckPending(n: number): this {
    this.maxAckPending = this.positive("max ack pending", n);
    return this;
  }
  /**
   * Ephemeral consumers: how long the server keeps one without a pull
   * request (default 300000 ms). A reader gone (killed) leaves its consumer
   * this long; a reader held back by backpressure longer than this loses it
   * and fails, and the job restarts from its checkpoint.
   */
  setInactiveThresholdMs(ms: number): this {
    this.inactiveThresholdMs = this.positive("inactive threshold", ms);
    return this;
  }
  /** Turns a message into a record (default: {@linkcode JetStreamRecord}). */
  setDeserializer<U>(fn: JetStreamDeserializer<U>): JetStreamSourceBuilder<U> {
    const self = this as unknown as JetStreamSourceBuilder<U>;
    self.deserializer = fn as JetStreamDeserializer<unknown>;
    return self;
  }

  /** The source; fails here when the configuration is incomplete. */
  build(): SourceSpec<T> {
    if (this.stream === undefined) throw new TypeError("JetStreamSource needs setStream(name)");
    const filters = this.filters.length === 0 ? [""] : [...new Set(this.filters)];
    if (filters.some((f) => f === "" && filters.length > 1)) {
      throw new TypeError("JetStream subject filters must not be empty");
    }
    const server = this.server("JetStreamSource");
    const config: JetStreamSourceConfig<T> = {
      server,
      stream: this.stream,
      filters,
      durableName: this.durableName,
      startFrom: this.startFrom,
      batchSize: this.batchSize,
      fetchExpiresMs: this.fetchExpiresMs,
      ackWaitMs: this.ackWaitMs,
      maxAckPending: this.maxAckPending,
      inactiveThresholdMs: this.inactiveThresholdMs,
      deserializer: this.deserializer as JetStreamDeserializer<T>,
    };
    const permissions: JobPermissions = server.permissions();
    return {
      bounded: false,
      maxParallelism: filters.length,
      permissions,
      createReader: () => new JetStreamSourceReader(config),
    };
  }
}

/** Entry point: `JetStreamSource.builder()...build()`. */
export const JetStreamSource = {
  builder(): JetStreamSourceBuilder<JetStreamRecord> {
    return new JetStreamSourceBuilder<JetStreamRecord>();
  },
};
