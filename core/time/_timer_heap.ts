/**
 * Internal: the binary min-heap of a timer queue, ordered by (timestamp,
 * sequence number). The two sort keys live in typed arrays beside the items,
 * so a sift compares numbers in contiguous memory instead of loading each
 * timer object (a heap of 100,000s of timers spent most of a pop on those
 * loads' cache misses).
 * @module
 */

export class TimerHeap<T> {
  private items: T[] = [];
  private times = new Float64Array(64);
  private seqs = new Float64Array(64);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** The first item, or undefined when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** The first item's timestamp, or Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.times[0] : Infinity;
  }

  /** The first item's sequence number, or Infinity when empty. */
  peekSeq(): number {
    return this.n > 0 ? this.seqs[0] : Infinity;
  }

  /** The latest finite timestamp held (a scan: for the end of processing time), or -Infinity. */
  maxFiniteTime(): number {
    let max = -Infinity;
    for (let i = 0; i < this.n; i++) {
      const t = this.times[i];
      if (t > max && t !== Infinity) max = t;
    }
    return max;
  }

  push(item: T, time: number, seq: number): void {
    if (this.n === this.times.length) this.grow();
    const times = this.times, seqs = this.seqs;
    let i = this.n++;
    // Sift up by moving parents down into the hole.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      this.move(i, p);
      i = p;
    }
    this.place(i, item, time, seq);
  }

  /** Removes and returns the first item (undefined when empty). */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const items = this.items, times = this.times, seqs = this.seqs;
    const top = items[0];
    const n = --this.n;
    const last = items[n], lastTime = times[n], lastSeq = seqs[n];
    items[n] = undefined as T; // no reference kept past the end
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n && (times[r] < times[c] || (times[r] === times[c] && seqs[r] < seqs[c]))) c = r;
      const ct = times[c];
      if (ct > lastTime || (ct === lastTime && seqs[c] > lastSeq)) break;
      this.move(i, c);
      i = c;
    }
    this.place(i, last, lastTime, lastSeq);
    return top;
  }

  /** Moves the entry at `from` into the hole at `to` (a sift step). */
  private move(to: number, from: number): void {
    this.items[to] = this.items[from];
    this.times[to] = this.times[from];
    this.seqs[to] = this.seqs[from];
  }

  private place(i: number, item: T, time: number, seq: number): void {
    this.items[i] = item;
    this.times[i] = time;
    this.seqs[i] = seq;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.times = times;
    this.seqs = seqs;
  }
}
