/**
 * Runtime partitioners: which channel(s) a record goes to, and which producer
 * and consumer subtasks an edge connects (all-to-all or pointwise).
 * @module
 */

import { assignToKeyGroup, operatorIndexForKeyGroup } from "../state/key_groups.ts";
import type { PartitionerKind, PartitionerSpec } from "./transformation.ts";

/** Channel index for a record, or BROADCAST for every channel. */
export type ChannelSelector = (record: unknown) => number;

/** Returned by a selector whose record goes to every channel. */
export const BROADCAST = -1;

/** Whether each producer talks to a subset of consumers (forward, rescale). */
export function isPointwise(kind: PartitionerKind): boolean {
  return kind === "forward" || kind === "rescale";
}

/**
 * The consumer subtasks producer `i` of `p` sends to, in channel order.
 * All-to-all edges reach every consumer; pointwise edges a contiguous range.
 */
export function consumersOf(kind: PartitionerKind, p: number, q: number, i: number): number[] {
  if (!isPointwise(kind)) return Array.from({ length: q }, (_, j) => j);
  if (p >= q) return [Math.floor(i * q / p)];
  const from = Math.floor(i * q / p), to = Math.floor((i + 1) * q / p);
  return Array.from({ length: to - from }, (_, k) => from + k);
}

/** The producer subtasks consumer `j` of `q` receives from, in ascending order. */
export function producersOf(kind: PartitionerKind, p: number, q: number, j: number): number[] {
  const producers: number[] = [];
  for (let i = 0; i < p; i++) if (consumersOf(kind, p, q, i).includes(j)) producers.push(i);
  return producers;
}

/**
 * The selector of one producer subtask for an edge with `channels` channels.
 * Hash partitioning routes by key group, so the consumer that owns a key's
 * group (and its state) gets the key.
 */
export function channelSelector(
  spec: PartitionerSpec,
  channels: number,
  maxParallelism: number,
  subtaskIndex: number,
): ChannelSelector {
  switch (spec.kind) {
    case "forward":
    case "global":
      return () => 0;
    case "broadcast":
      return () => BROADCAST;
    case "rebalance":
    case "rescale": {
      let next = subtaskIndex % channels;
      return () => {
        const c = next;
        next = next + 1 === channels ? 0 : next + 1;
        return c;
      };
    }
    case "shuffle":
      return () => Math.floor(Math.random() * channels);
    case "hash": {
      // One consumer owns every key group: no need to hash each record's key.
      if (channels === 1) return () => 0;
      const key = spec.keySelector!;
      return (r) =>
        operatorIndexForKeyGroup(
          maxParallelism,
          channels,
          assignToKeyGroup(key(r), maxParallelism),
        );
    }
    case "custom": {
      const key = spec.keySelector!, custom = spec.custom!;
      return (r) => {
        const c = custom(key(r), channels);
        if (!Number.isInteger(c) || c < 0 || c >= channels) {
          throw new RangeError(`custom partitioner returned ${c}, expected 0..${channels - 1}`);
        }
        return c;
      };
    }
  }
}
