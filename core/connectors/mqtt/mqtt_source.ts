/**
 * MqttSource: subscribes to topic filters on an MQTT broker (QoS 0 or 1),
 * with parallel readers sharing the messages through a shared subscription
 * (`$share/<group>/<filter>`).
 *
 * Guarantee with QoS 1 and checkpointing: at-least-once. A reader holds the
 * PUBACK of every message it emitted until the checkpoint that covers it
 * completed; after a failure the broker sends the unacknowledged ones again
 * to the restarted reader (same client id, persistent session). Which
 * duplicates can occur:
 * - in spate's state: messages covered by a completed checkpoint whose
 *   PUBACK had not reached the broker when the failure came (the completion
 *   reaches the reader asynchronously), and messages the publisher itself
 *   sent twice (a QoS 1 retry). Messages replayed after the last completed
 *   checkpoint are not duplicates there: the state rolls back with them.
 * - in non-transactional sinks (MqttSink, print): the results of the
 *   replayed messages are written again.
 * Deduplicate by an id in the payload (keyed state) where the job needs
 * exact results; the exactly-once FileSink then commits them once.
 * With QoS 0, or without checkpointing, messages are acknowledged on arrival
 * and a failure loses what was in flight (at-most-once).
 *
 * Limits: at most `receiveMaximum` unacknowledged messages per reader (MQTT 5
 * flow control; the broker stops sending beyond it, so a checkpoint interval
 * must pass well before that many arrive); that bounds the messages received
 * but not yet emitted too. With QoS 0 nothing but the job's pace bounds them:
 * the broker drops QoS 0 messages for a client that does not keep up.
 * @module
 */

import type { MqttClient } from "mqtt";
import type { RecordOutput } from "../../operators/stream_operator.ts";
import type { Availability, SourceContext, SourceReader, SourceSpec } from "../source_reader.ts";
import { DeferredPubacks } from "./deferred_pubacks.ts";
import { type MqttBroker, watchConnection } from "./mqtt_broker.ts";
import { MqttConnectionBuilder } from "./mqtt_connection_builder.ts";

/** What a message gives the deserializer besides its payload. */
export interface MqttMessageInfo {
  readonly topic: string;
  /** Wall-clock ms when the reader received it (event time by arrival). */
  readonly arrivalMs: number;
  /** True when the broker sent it again (an earlier delivery was not acknowledged). */
  readonly duplicate: boolean;
}

/** The default record: the topic, the payload as UTF-8 text, the arrival time. */
export interface MqttRecord {
  readonly topic: string;
  readonly payload: string;
  readonly arrivalMs: number;
}

/** Turns a message into a record. */
export type MqttDeserializer<T> = (payload: Uint8Array, info: MqttMessageInfo) => T;

/** Subscription QoS levels the source supports. */
export const MQTT_SOURCE_QOS = [0, 1] as const;
/** See {@linkcode MQTT_SOURCE_QOS}. */
export type MqttSourceQos = typeof MQTT_SOURCE_QOS[number];

interface MqttSourceConfig<T> {
  readonly broker: MqttBroker;
  readonly filters: readonly string[];
  readonly qos: MqttSourceQos;
  /** Undefined (QoS 0 only): each reader connects with a random client id. */
  readonly clientIdPrefix: string | undefined;
  readonly sharedGroup: string | undefined;
  readonly sessionExpiryS: number;
  readonly receiveMaximum: number;
  readonly idleWaitMs: number;
  readonly deserializer: MqttDeserializer<T>;
}

/** Emitted messages kept at the buffer's head before it is compacted. */
const COMPACT_AFTER_MESSAGES = 4096;

const decoder = new TextDecoder();
const textRecord: MqttDeserializer<MqttRecord> = (payload, info) => ({
  topic: info.topic,
  payload: decoder.decode(payload),
  arrivalMs: info.arrivalMs,
});

/**
 * Builds an MQTT source, in Flink's builder style.
 *
 * @example
 * ```ts ignore
 * const source = MqttSource.builder()
 *   .setBrokerUrl("mqtt://127.0.0.1:1883")
 *   .setTopics("sensors/+/temperature")
 *   .setQos(1)
 *   .setClientIdPrefix("sensor-job")
 *   .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "sensors");
 * ```
 */
export class MqttSourceBuilder<T> extends MqttConnectionBuilder {
  private filters: string[] = [];
  private qos: MqttSourceQos = 1;
  private clientIdPrefix: string | undefined;
  private sharedGroup: string | undefined;
  private sessionExpiryS = 3600;
  private receiveMaximum = 65_535;
  private idleWaitMs = 20;
  private deserializer: MqttDeserializer<unknown> = textRecord;

  /** Topic filters (`+` and `#` wildcards). At least one. */
  setTopics(...filters: string[]): this {
    this.filters.push(...filters);
    return this;
  }
  /** 0: at-most-once; 1 (default): at-least-once with checkpointing. */
  setQos(qos: MqttSourceQos): this {
    if (!(MQTT_SOURCE_QOS as readonly number[]).includes(qos)) {
      throw new RangeError(`MQTT source QoS must be 0 or 1, got ${qos}`);
    }
    this.qos = qos;
    return this;
  }
  /**
   * Client ids are `<prefix>-<subtask>`: stable across restarts, so a
   * restarted reader resumes its broker session. Required with QoS 1; must be
   * unique per job on the broker.
   */
  setClientIdPrefix(prefix: string): this {
    this.clientIdPrefix = prefix;
    return this;
  }
  /**
   * The shared-subscription group of the readers (default: the client id
   * prefix, else `spate-<operator name>`).
   */
  setSharedGroup(group: string): this {
    this.sharedGroup = group;
    return this;
  }
  /** How long the broker keeps a failed reader's session and messages (default 3600 s). */
  setSessionExpirySeconds(s: number): this {
    this.sessionExpiryS = positive("session expiry", s);
    return this;
  }
  /** Unacknowledged messages per reader the broker may have in flight (default 65535). */
  setReceiveMaximum(n: number): this {
    this.receiveMaximum = positive("receive maximum", n);
    if (n > 65_535) throw new RangeError("MQTT receive maximum is at most 65535");
    return this;
  }
  /** Turns a message into a record (default: {@linkcode MqttRecord}). */
  setDeserializer<U>(fn: MqttDeserializer<U>): MqttSourceBuilder<U> {
    const self = this as unknown as MqttSourceBuilder<U>;
    self.deserializer = fn as MqttDeserializer<unknown>;
    return self;
  }

  /** The source; fails here when the configuration is incomplete. */
  build(): SourceSpec<T> {
    const broker = this.broker("MqttSource");
    if (this.filters.length === 0) throw new TypeError("MqttSource needs setTopics(filter...)");
    for (const f of this.filters) {
      if (f === "" || f.startsWith("$share/")) {
        throw new TypeError(
          `MQTT topic filter '${f}' is not valid here (shared subscriptions: setSharedGroup)`,
        );
      }
    }
    if (this.clientIdPrefix === undefined && this.qos === 1) {
      throw new TypeError(
        "MqttSource with QoS 1 needs setClientIdPrefix(prefix): a restarted reader resumes its session by it",
      );
    }
    const config: MqttSourceConfig<T> = {
      broker,
      filters: [...this.filters],
      qos: this.qos,
      clientIdPrefix: this.clientIdPrefix,
      sharedGroup: this.sharedGroup,
      sessionExpiryS: this.sessionExpiryS,
      receiveMaximum: this.receiveMaximum,
      idleWaitMs: this.idleWaitMs,
      deserializer: this.deserializer as MqttDeserializer<T>,
    };
    return {
      bounded: false,
      permissions: broker.permissions(),
      createReader: () => new MqttSourceReader(config),
    };
  }
}

function positive(what: string, n: number): number {
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`MQTT ${what} must be a positive integer, got ${n}`);
  }
  return n;
}

/** A share group name from an operator name (no `/`, `+`, `#` or spaces). */
function shareGroupOf(operatorName: string): string {
  return `spate-${operatorName.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** Entry point: `MqttSource.builder()...build()`. */
export const MqttSource = {
  builder(): MqttSourceBuilder<MqttRecord> {
    return new MqttSourceBuilder<MqttRecord>();
  },
};

/** One subtask's subscription. */
export class MqttSourceReader<T> implements SourceReader<T> {
  private client: MqttClient | undefined;
  private acks: DeferredPubacks | undefined;
  private connection: { failure(): Error | undefined } | undefined;
  private closing = false;
  private checkpointing = false;
  /** Received, not yet emitted; `acked[i]`: message i has a held PUBACK. */
  private buffer: T[] = [];
  private acked: boolean[] = [];
  private head = 0;
  /** PUBACKs of emitted messages not yet in a checkpoint. */
  private emittedAcks: number[] = [];
  /** PUBACKs per taken checkpoint, released when it completes. */
  private readonly pending = new Map<number, number[]>();
  private wake: (() => void) | undefined;
  private deserializeError: Error | undefined;

  constructor(private readonly config: MqttSourceConfig<T>) {}

  async open(ctx: SourceContext): Promise<void> {
    const c = this.config;
    this.checkpointing = ctx.checkpointing === true;
    const persistent = c.qos === 1;
    const prefix = c.clientIdPrefix ?? `spate-${crypto.randomUUID().slice(0, 8)}`;
    const client = await c.broker.connect(`${prefix}-${ctx.subtaskIndex}`, {
      clean: !persistent,
      properties: {
        sessionExpiryInterval: persistent ? c.sessionExpiryS : 0,
        receiveMaximum: c.receiveMaximum,
      },
    }, (client) => {
      if (c.qos === 1) this.acks = new DeferredPubacks(client);
      client.on("message", (topic, payload, packet) => {
        let record: T;
        try {
          record = c.deserializer(payload, { topic, arrivalMs: Date.now(), duplicate: packet.dup });
        } catch (e) {
          // Failed at the next poll: a throw here would land inside the client's packet handling.
          this.deserializeError ??= new Error(
            `MQTT source: cannot deserialize a message on topic '${topic}': ${
              (e as Error).message
            }`,
            { cause: e },
          );
          return;
        }
        this.buffer.push(record);
        this.acked.push(packet.qos === 1);
        this.wake?.();
      });
    });
    this.client = client;
    this.connection = watchConnection(client, c.broker.url, () => this.closing);
    // The same group in every subtask's process: never a random name.
    const group = c.sharedGroup ?? c.clientIdPrefix ?? shareGroupOf(ctx.operatorName);
    const filters = ctx.parallelism > 1 ? c.filters.map((f) => `$share/${group}/${f}`) : c.filters;
    const granted = await client.subscribeAsync(filters.slice(), { qos: c.qos });
    for (const g of granted) {
      if (g.qos > 2) {
        throw new Error(
          `MQTT broker ${c.broker.url} refused the subscription to '${g.topic}' (reason ${g.qos}): ` +
            "check the topic filter and the user's ACL",
        );
      }
    }
  }

  async pollNext(
    output: RecordOutput<T>,
    gate: Availability,
    maxRecords: number,
  ): Promise<boolean> {
    const failure = this.deserializeError ?? this.connection?.failure();
    if (failure !== undefined) throw failure;
    if (this.head === this.buffer.length) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.idleWaitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    const end = Math.min(this.buffer.length, this.head + maxRecords);
    let i = this.head, withAck = 0;
    for (; i < end && gate.available; i++) {
      output.collect(this.buffer[i]);
      if (this.acked[i]) withAck++;
    }
    this.head = i;
    if (this.head === this.buffer.length || this.head > COMPACT_AFTER_MESSAGES) {
      this.buffer = this.buffer.slice(this.head);
      this.acked = this.acked.slice(this.head);
      this.head = 0;
    }
    if (withAck > 0) this.acknowledgeEmitted(this.acks!.take(withAck));
    return true;
  }

  private acknowledgeEmitted(ids: number[]): void {
    if (this.checkpointing) {
      for (const id of ids) this.emittedAcks.push(id);
    } else this.acks!.release(ids);
  }

  /** The broker holds the position: the state is only the checkpoint's share of PUBACKs. */
  snapshotState(checkpointId: number): null {
    if (this.emittedAcks.length > 0) {
      this.pending.set(checkpointId, this.emittedAcks);
      this.emittedAcks = [];
    }
    return null;
  }

  restoreState(): void {
    // Nothing to restore: the broker sends again what no completed checkpoint acknowledged.
  }

  notifyCheckpointComplete(checkpointId: number): void {
    for (const [id, ids] of this.pending) {
      if (id > checkpointId) continue;
      this.acks?.release(ids);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    // Unacknowledged messages stay in the broker session for the next run.
    // A clean end writes the PUBACKs released so far before DISCONNECT; a dead connection is dropped.
    await this.client?.endAsync(!this.client.connected);
  }
}
