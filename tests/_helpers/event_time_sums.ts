/** The reference of `tests/_jobs/event_time_sums.ts`: every line an uninterrupted run commits. @module */

const BUCKET_MS = 1000;

export function expectedEventTimeLines(events: number, keys: number): Set<string> {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>(); // sliding windows: 2 buckets wide
  for (let i = 0; i < events; i++) {
    const key = (i * 7919) % keys;
    const bucket = Math.floor(i / BUCKET_MS) * BUCKET_MS;
    sums.set(`${key},${bucket}`, (sums.get(`${key},${bucket}`) ?? 0) + (i % 7) + 1);
    for (const start of [bucket - BUCKET_MS, bucket]) {
      counts.set(`${key},${start}`, (counts.get(`${key},${start}`) ?? 0) + 1);
    }
  }
  return new Set([
    ...[...sums].flatMap(([at, sum]) => [`timer,k${at},${sum}`, `window,k${at},${sum}`]),
    ...[...counts].map(([at, count]) => `sliding,k${at},${count}`),
  ]);
}
