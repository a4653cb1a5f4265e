/**
 * Internal: the access path that keyed state handles use into a backend, and
 * the TTL policy they apply. Not imported outside `core/state/`.
 * @module
 */

import type { StateTtlConfig } from "../api/state.ts";
import type { StateKey } from "./keyed_state_backend.ts";

/** One state's entries in one key group: state key -> stored form. */
export type StateTable = Map<StateKey, unknown>;

/** What a handle needs from its backend; every call is for the current key group. */
export interface StateAccess {
  /** The current key as a state map key. */
  stateKey(): StateKey;
  readonly clock: () => number;
  /** The state's table for reading, if the key group has one. */
  readTable(name: string): StateTable | undefined;
  /** The state's table for writing (created if absent). */
  writeTable(name: string): StateTable;
  /** Reports an item written, so a backend with a memory budget can account for it. */
  noteWrite(item: unknown): void;
}

const UPDATE_TYPES = ["OnCreateAndWrite", "OnReadAndWrite"];
const VISIBILITIES = ["NeverReturnExpired", "ReturnExpiredIfNotCleanedUp"];

/** A validated TTL config bound to a clock. */
export class TtlPolicy {
  readonly ttlMs: number;
  readonly updateOnRead: boolean;
  readonly returnExpired: boolean;

  constructor(config: StateTtlConfig, readonly clock: () => number, stateName: string) {
    if (!Number.isFinite(config.ttlMs) || config.ttlMs <= 0) {
      throw new RangeError(
        `state "${stateName}": ttlMs must be a positive number of milliseconds, got ${config.ttlMs}`,
      );
    }
    if (!UPDATE_TYPES.includes(config.updateType) || !VISIBILITIES.includes(config.visibility)) {
      throw new RangeError(
        `state "${stateName}": unknown TTL updateType "${config.updateType}" or visibility ` +
          `"${config.visibility}"; use one of ${UPDATE_TYPES} and one of ${VISIBILITIES}`,
      );
    }
    this.ttlMs = config.ttlMs;
    this.updateOnRead = config.updateType === "OnReadAndWrite";
    this.returnExpired = config.visibility === "ReturnExpiredIfNotCleanedUp";
  }

  /** Whether an entry last refreshed at `ts` has expired at `now` (Flink: ts + ttl <= now). */
  expired(ts: number, now: number): boolean {
    return ts + this.ttlMs <= now;
  }
}
