/**
 * MqttSink: publishes every record to an MQTT broker, QoS 0 or 1, to a fixed
 * topic or one chosen per record, optionally retained.
 *
 * Guarantee with QoS 1 and checkpointing: at-least-once. A checkpoint waits
 * until the broker acknowledged (PUBACK) every message published before it,
 * so a restored job publishes again at most what followed its checkpoint:
 * subscribers may see those messages twice. QoS 0 is at-most-once.
 *
 * Batching: packets are written corked and sent together every
 * `batchSize` records and at every buffer-timeout flush, so many messages
 * share one socket write. Acknowledgements are awaited at checkpoints and at
 * the end, never per record.
 * @module
 */

import type { MqttClient } from "mqtt";
import type { Sink } from "../file_sink.ts";
import { AbstractStreamOperator } from "../../operators/stream_operator.ts";
import { type MqttBroker, watchConnection } from "./mqtt_broker.ts";
import { MqttConnectionBuilder } from "./mqtt_connection_builder.ts";

/** Publish QoS levels the sink supports. */
export const MQTT_SINK_QOS = [0, 1] as const;
/** See {@linkcode MQTT_SINK_QOS}. */
export type MqttSinkQos = typeof MQTT_SINK_QOS[number];

/** Turns a record into a message payload. */
export type MqttSerializer<T> = (record: T) => string | Uint8Array;

interface MqttSinkConfig<T> {
  readonly broker: MqttBroker;
  readonly topic: (record: T) => string;
  readonly qos: MqttSinkQos;
  readonly retain: boolean;
  readonly batchSize: number;
  readonly serializer: MqttSerializer<T>;
}

const asPayload: MqttSerializer<unknown> = (r) =>
  typeof r === "string" || r instanceof Uint8Array ? r : JSON.stringify(r);

/**
 * Builds an MQTT sink.
 *
 * @example
 * ```ts ignore
 * stream.sinkTo(
 *   MqttSink.builder<{ room: string; count: number }>()
 *     .setBrokerUrl("mqtt://127.0.0.1:1883")
 *     .setTopic((r) => `counts/${r.room}`)
 *     .setQos(1)
 *     .setRetain(true)
 *     .build(),
 * );
 * ```
 */
export class MqttSinkBuilder<T> extends MqttConnectionBuilder {
  private topic: ((record: T) => string) | undefined;
  private qos: MqttSinkQos = 1;
  private retain = false;
  private batchSize = 1000;
  private serializer: MqttSerializer<T> = asPayload;

  /** One topic for every record, or a function choosing it per record. Required. */
  setTopic(topic: string | ((record: T) => string)): this {
    this.topic = typeof topic === "string" ? () => topic : topic;
    return this;
  }
  /** 0: at-most-once; 1 (default): at-least-once with checkpointing. */
  setQos(qos: MqttSinkQos): this {
    if (!(MQTT_SINK_QOS as readonly number[]).includes(qos)) {
      throw new RangeError(`MQTT sink QoS must be 0 or 1, got ${qos}`);
    }
    this.qos = qos;
    return this;
  }
  /** Published messages are retained by the broker (the last per topic). Default false. */
  setRetain(retain: boolean): this {
    this.retain = retain;
    return this;
  }
  /** Records whose packets are written in one go (default 1000). */
  setBatchSize(n: number): this {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`MQTT sink batch size must be a positive integer, got ${n}`);
    }
    this.batchSize = n;
    return this;
  }
  /** The payload of a record (default: strings and bytes as they are, else JSON). */
  setSerializer(fn: MqttSerializer<T>): this {
    this.serializer = fn;
    return this;
  }

  /** The sink; fails here when the configuration is incomplete. */
  build(): Sink {
    const broker = this.broker("MqttSink");
    if (this.topic === undefined) throw new TypeError("MqttSink needs setTopic(topic or fn)");
    const config: MqttSinkConfig<T> = {
      broker,
      topic: this.topic,
      qos: this.qos,
      retain: this.retain,
      batchSize: this.batchSize,
      serializer: this.serializer,
    };
    return {
      name: `Sink: MQTT ${broker.url}`,
      permissions: broker.permissions(),
      createOperator: () => new MqttSinkOperator(config),
    };
  }
}

/** Entry point: `MqttSink.builder<T>()...build()`. */
export const MqttSink = {
  builder<T>(): MqttSinkBuilder<T> {
    return new MqttSinkBuilder<T>();
  },
};

/** One subtask's publisher. */
export class MqttSinkOperator<T> extends AbstractStreamOperator<T, never> {
  private client: MqttClient | undefined;
  private connection: { failure(): Error | undefined } | undefined;
  private closing = false;
  private corked = 0;
  /** QoS 1 publishes not yet acknowledged by the broker. */
  private unacked = 0;
  private publishError: Error | undefined;
  private drained: (() => void) | undefined;
  private readonly onPublished = (err?: Error | null) => {
    if (err) this.publishError ??= err;
    if (--this.unacked === 0) this.drained?.();
  };

  constructor(private readonly config: MqttSinkConfig<T>) {
    super();
  }

  override async open(): Promise<void> {
    const c = this.config;
    const clientId = `spate-sink-${crypto.randomUUID().slice(0, 12)}`;
    this.client = await c.broker.connect(clientId, { clean: true });
    this.connection = watchConnection(this.client, c.broker.url, () => this.closing);
  }

  processElement(record: T): void {
    if (this.corked === 0) {
      this.checkHealthy();
      this.client!.stream.cork();
    }
    const c = this.config;
    if (c.qos === 1) {
      this.unacked++;
      this.client!.publish(c.topic(record), c.serializer(record) as string, {
        qos: 1,
        retain: c.retain,
      }, this.onPublished);
    } else {
      this.client!.publish(c.topic(record), c.serializer(record) as string, {
        qos: 0,
        retain: c.retain,
      });
    }
    if (++this.corked >= c.batchSize) this.uncork();
  }

  flush(): void {
    this.uncork();
  }

  override async snapshotState(_checkpointId: number): Promise<void> {
    await this.drain();
  }

  override async close(): Promise<void> {
    try {
      await this.drain();
    } finally {
      this.closing = true;
      await this.client?.endAsync();
    }
  }

  private uncork(): void {
    if (this.corked === 0) return;
    this.corked = 0;
    this.client!.stream.uncork();
  }

  /** Sends what is corked and waits until the broker acknowledged every QoS 1 publish. */
  private async drain(): Promise<void> {
    this.uncork();
    while (this.unacked > 0) {
      this.checkHealthy();
      await new Promise<void>((resolve) => {
        this.drained = resolve;
        // A lost connection leaves publishes unanswered: look again.
        setTimeout(resolve, 200);
      });
      this.drained = undefined;
    }
    this.checkHealthy();
  }

  private checkHealthy(): void {
    const failure = this.connection?.failure() ?? this.publishError;
    if (failure !== undefined) {
      throw new Error(`MQTT sink (${this.config.broker.url}): ${failure.message}`);
    }
  }
}
