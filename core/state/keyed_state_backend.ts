/**
 * The keyed state backend contract and its snapshot format. Every keyed backend
 * (heap, disk) implements {@link KeyedStateBackend} and runs the one contract
 * suite in `tests/_suites/state_backend_contract.ts`.
 * @module
 */

import type { GroupEncode } from "./snapshot_arena.ts";
import type { KeyGroupRange } from "./key_groups.ts";
import type { KeyedStateStore } from "../api/keyed_state_store.ts";

/** A key as stored in state maps: primitives as they are, structured keys as JSON text. */
export type StateKey = string | number | boolean | bigint | null | undefined;

/** The kind of a keyed state. */
export type StateKind = "value" | "list" | "map" | "reducing" | "aggregating";

/** Name, kind and whether the entries carry TTL timestamps. */
export interface StateMetaInfo {
  readonly name: string;
  readonly kind: StateKind;
  readonly ttl: boolean;
}

/**
 * The entries of one state in one key group: `[stateKey, stored]` pairs. The
 * stored form per kind (`ts` = last refresh in ms of the backend's clock):
 * - value, reducing, aggregating: the value; with TTL `[value, ts]`
 * - list: `T[]`; with TTL `[T, ts][]`
 * - map: `[userKey, V][]`; with TTL `[userKey, V, ts][]`
 */
export interface StateEntries {
  readonly name: string;
  readonly entries: readonly (readonly [StateKey, unknown])[];
}

/** The states of one key group (only states with entries). */
export interface KeyGroupSnapshot {
  readonly keyGroup: number;
  /** The states, or empty when `encoded` holds them. */
  readonly states: readonly StateEntries[];
  /** The states as CBOR bytes (`snapshotEncoded`): decoded on restore. */
  readonly encoded?: Uint8Array;
}

/**
 * A keyed state snapshot: plain data (arrays, objects, primitives) that
 * cbor-x encodes as is. Only non-empty key groups appear, in ascending order.
 */
export interface KeyedStateSnapshot {
  readonly checkpointId: number;
  readonly maxParallelism: number;
  /** The key groups the snapshotting backend owned. */
  readonly keyGroupRange: KeyGroupRange;
  readonly states: readonly StateMetaInfo[];
  readonly keyGroups: readonly KeyGroupSnapshot[];
}

/** Options shared by every keyed backend. */
export interface KeyedStateBackendOptions {
  /** Number of key groups (default 128). */
  readonly maxParallelism?: number;
  /** The key groups this backend owns (default: all). */
  readonly keyGroupRange?: KeyGroupRange;
  /** Milliseconds for TTL (default `Date.now`); inject a fake clock in tests. */
  readonly clock?: () => number;
}

/** Keyed state of one operator subtask; handles read and write the current key's entry. */
export interface KeyedStateBackend extends KeyedStateStore {
  readonly maxParallelism: number;
  readonly keyGroupRange: KeyGroupRange;
  readonly currentKey: unknown;
  readonly currentKeyGroup: number;
  /** Scopes every handle to `key`; throws if the key's group is outside the range. */
  setCurrentKey(key: unknown): void;
  /**
   * Scopes every handle to `namespace` within the current key (a window's
   * state, after Flink's namespaces); `undefined` returns to the key's own
   * state, as `setCurrentKey` does.
   */
  setCurrentNamespace(namespace: string | undefined): void;
  /**
   * Captures the state as of this call; the returned promise resolves after
   * the capture is converted, while records keep being processed.
   */
  snapshot(checkpointId: number): Promise<KeyedStateSnapshot>;
  /**
   * Captures the state now, each key group encoded to CBOR bytes at once.
   * Cheaper overall than `snapshot()` (no copy-on-write afterwards), but the
   * caller waits for the encoding. `encode` (default: into fresh memory)
   * lets a task encode into a reused `SnapshotArena`.
   */
  snapshotEncoded(checkpointId: number, encode?: GroupEncode): KeyedStateSnapshot;
  /**
   * Loads the key groups of this backend's range from snapshots of any number
   * of old subtasks (rescaling). Call on an empty backend, before processing.
   */
  restore(snapshots: readonly KeyedStateSnapshot[]): void;
  /** Frees memory and files. */
  dispose(): void;
}

/**
 * The state map key of a user key: structured keys become their JSON text.
 *
 * @example
 * ```ts
 * import { stateKeyOf } from "./keyed_state_backend.ts";
 * stateKeyOf(["a", 1]); // '["a",1]'
 * stateKeyOf("a"); // "a"
 * ```
 */
export function stateKeyOf(key: unknown): StateKey {
  if (key !== null && (typeof key === "object" || typeof key === "function")) {
    return JSON.stringify(key);
  }
  return key as StateKey;
}
