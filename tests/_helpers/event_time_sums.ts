/** The reference of `tests/_jobs/event_time_sums.ts`: every line an uninterrupted run commits. @module */

const BUCKET_MS = 1000;

export function expectedEventTimeLines(events: number, keys: number): Set<string> {
  const sums = new Map<string, number>();
  for (let i = 0; i < events; i++) {
    const at = `${(i * 7919) % keys},${Math.floor(i / BUCKET_MS) * BUCKET_MS}`;
    sums.set(at, (sums.get(at) ?? 0) + (i % 7) + 1);
  }
  return new Set([...sums].map(([at, sum]) => `timer,k${at},${sum}`));
}
