/**
 * The JetStream consumer a split of a {@linkcode JetStreamSource} reads
 * through: where it starts (a restored position, a durable consumer's acks,
 * or the start policy) and its creation, which replaces the split's previous
 * consumer (at start a durable one is reset to the position spate knows; at a
 * resume the one whose pulls were given up on).
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import type { Consumer, ConsumerConfig, JetStreamManager } from "@nats-io/jetstream";
import type { JetStreamSourceConfig } from "./jetstream_source.ts";

export const NANOS_PER_MS = 1_000_000;

/** What of a split its consumer depends on. */
export interface SplitRef {
  readonly index: number;
  /** Subject filter; `""` is the whole stream. */
  readonly filter: string;
  /** Name of the split's current ephemeral consumer, if it has one. */
  readonly ephemeral?: string;
}

/** A split's new consumer. */
export interface SplitConsumer {
  readonly consumer: Consumer;
  /** Its name when ephemeral (deleted at close), undefined for a durable one. */
  readonly ephemeral: string | undefined;
  /** The stream sequence it starts after, as the server resolved its start. */
  readonly startsAfter: number;
}

/** The durable consumer of `split`: `<name>` for one split, `<name>-<j>` for several. */
export function durableName(
  config: JetStreamSourceConfig<unknown>,
  split: SplitRef,
): string | undefined {
  if (config.durableName === undefined) return undefined;
  return config.filters.length === 1 ? config.durableName : `${config.durableName}-${split.index}`;
}

/**
 * The sequence `split` starts at: after `restored` (its checkpointed
 * position), else after its durable consumer's acks, else the start policy's
 * (undefined: the server resolves "all" or "new").
 */
export async function startPosition(
  jsm: JetStreamManager,
  config: JetStreamSourceConfig<unknown>,
  split: SplitRef,
  restored: number | undefined,
): Promise<number | undefined> {
  if (restored !== undefined) return restored + 1;
  const durable = durableName(config, split);
  if (durable !== undefined) {
    const old = await jsm.consumers.info(config.stream, durable).catch(() => undefined);
    // A consumer created at a sequence reports ack floor 0 until its first ack.
    if (old !== undefined) {
      return Math.max(old.ack_floor.stream_seq, (old.config.opt_start_seq ?? 1) - 1) + 1;
    }
  }
  const s = config.startFrom;
  return s !== "all" && s !== "new" ? s : undefined;
}

/**
 * Creates `split`'s consumer at `startSeq`, first deleting its previous one
 * (its ephemeral consumer, or its durable consumer: the server's
 * delivered-but-unacknowledged messages are then replayed by the new one).
 */
export async function createSplitConsumer(
  nc: NatsConnection,
  jsm: JetStreamManager,
  config: JetStreamSourceConfig<unknown>,
  split: SplitRef,
  startSeq: number | undefined,
): Promise<SplitConsumer> {
  const previous = split.ephemeral ?? durableName(config, split);
  if (previous !== undefined) await jsm.consumers.delete(config.stream, previous).catch(() => {});
  const { jetstream } = await import("@nats-io/jetstream");
  const { ephemeral, consumerConfig } = await configFor(config, split, startSeq);
  try {
    const info = await jsm.consumers.add(config.stream, consumerConfig);
    return {
      consumer: await jetstream(nc).consumers.get(config.stream, info.name),
      ephemeral,
      startsAfter: info.delivered.stream_seq,
    };
  } catch (e) {
    throw new Error(
      `cannot create a JetStream consumer on stream '${config.stream}'` +
        `${split.filter ? ` for subjects '${split.filter}'` : ""} at NATS server ` +
        `${config.server.label}: ${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** The new consumer's configuration (and its name, when ephemeral). */
async function configFor(
  c: JetStreamSourceConfig<unknown>,
  split: SplitRef,
  startSeq: number | undefined,
): Promise<{ ephemeral: string | undefined; consumerConfig: Partial<ConsumerConfig> }> {
  const { AckPolicy, DeliverPolicy } = await import("@nats-io/jetstream");
  const position: Partial<ConsumerConfig> = startSeq !== undefined
    ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }
    : { deliver_policy: c.startFrom === "new" ? DeliverPolicy.New : DeliverPolicy.All };
  const filter = split.filter === "" ? {} : { filter_subject: split.filter };
  const durable = durableName(c, split);
  if (durable !== undefined) {
    return {
      ephemeral: undefined,
      consumerConfig: {
        ...position,
        ...filter,
        durable_name: durable,
        ack_policy: AckPolicy.All,
        ack_wait: c.ackWaitMs * NANOS_PER_MS,
        max_ack_pending: c.maxAckPending,
      },
    };
  }
  const ephemeral = `spate_${crypto.randomUUID().replaceAll("-", "")}`;
  return {
    ephemeral,
    consumerConfig: {
      ...position,
      ...filter,
      name: ephemeral,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: c.inactiveThresholdMs * NANOS_PER_MS,
    },
  };
}
