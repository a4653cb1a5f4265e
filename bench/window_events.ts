/**
 * The events of the window benchmark, shared by the job and the raw loop so
 * both do the same work: event `i` is a fresh object with timestamp
 * `floor(i / perMs)` (ms), key `(i * 7919) % keys` and a small value. @module
 */

export interface WindowEvent {
  readonly key: number;
  readonly ts: number;
  readonly value: number;
}

export function benchEvent(i: number, keys: number, perMs: number): WindowEvent {
  return { key: (i * 7919) % keys, ts: Math.floor(i / perMs), value: (i % 13) + 1 };
}

/** What the job's sink folds each window result into (the raw loop folds the same). */
export function windowChecksum(checksum: number, end: number, key: number, sum: number): number {
  return (checksum + ((end * 31 + key) * 7 + sum)) % 1_000_000_007;
}
