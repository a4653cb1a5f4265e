/**
 * The credit window of each channel into one task (its input gate). Channels
 * within a slot and from other workers have their own fixed windows; the
 * channels from other slots of the same worker share one budget,
 * `creditsPerGate`. Every consumer subtask has a channel from every producer
 * subtask, so fixed per-channel windows let a worker buffer
 * parallelism^2 x credits x buffer size (1 MiB per channel with the defaults:
 * 36 MiB at parallelism 4 for one keyBy); a budget per gate keeps it
 * parallelism x budget, as Flink's floating buffers per gate do.
 * @module
 */

import type { NetworkSettings } from "./channel.ts";

/** Where a channel's producer runs, seen from its consumer. */
export type ChannelKind = "inSlot" | "otherSlot" | "remote";

/**
 * The fewest buffers a channel from another slot is given: one being
 * processed while the next is on its way (Flink's exclusive buffers per channel).
 */
export const MIN_CREDITS_PER_CHANNEL = 2;

/**
 * The initial credit of each channel of a gate whose channels are of `kinds`.
 *
 * @example
 * ```ts
 * import { gateCredits } from "./gate_credits.ts";
 * import { DEFAULT_NETWORK_SETTINGS } from "./channel.ts";
 * // Four producers at parallelism 4: one in the consumer's slot, three in other slots.
 * const credits = gateCredits(["inSlot", "otherSlot", "otherSlot", "otherSlot"], DEFAULT_NETWORK_SETTINGS);
 * console.assert(credits.join() === "4,10,10,10");
 * ```
 */
export function gateCredits(
  kinds: readonly ChannelKind[],
  s: Pick<
    NetworkSettings,
    "creditsPerChannel" | "creditsPerGate" | "creditsPerRemoteChannel" | "creditsPerInSlotChannel"
  >,
): number[] {
  const otherSlot = kinds.filter((k) => k === "otherSlot").length;
  // Never above the per-channel window, never below the floor unless that window is.
  const shared = Math.min(
    s.creditsPerChannel,
    Math.max(MIN_CREDITS_PER_CHANNEL, Math.floor(s.creditsPerGate / Math.max(1, otherSlot))),
  );
  return kinds.map((k) =>
    k === "inSlot" ? s.creditsPerInSlotChannel : k === "remote" ? s.creditsPerRemoteChannel : shared
  );
}
