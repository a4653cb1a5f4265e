/**
 * The in-memory contents of event-time session windows: per key, its open
 * sessions in order of start (disjoint: a session that would touch another
 * merges with it), each with its folded contents; and one heap of sessions
 * by end, so a watermark fires every session it passed in one pass. An
 * element costs a map lookup and a bisection: no state namespace per
 * session, no timer per session, no window key strings (those were most of
 * the general window operator's time and allocations on session windows).
 *
 * Sessions fire in the order the general operator's timers would: by end,
 * then by when the session last changed (a changed window's timer is
 * registered anew there).
 * @module
 */

import { type StateKey, stateKeyOf } from "../state/keyed_state_backend.ts";
import { TimerHeap } from "../time/_timer_heap.ts";
import { TimeWindow } from "../windows/time_window.ts";
import type { WindowFold } from "./window_contents.ts";
import {
  emptyAccumulator,
  foldIn,
  foldMerge,
  type SliceFold,
  sliceFoldOf,
  snapshotAccumulator,
  type WindowEmit,
} from "./window_slices.ts";

/** The open sessions of one key. */
interface KeySessions {
  readonly key: unknown;
  readonly sk: StateKey;
  readonly keyGroup: number;
  /** In order of start; disjoint and not touching. */
  readonly sessions: Session[];
}

/** One session: [start, end) and what the fold made of its elements. */
interface Session {
  readonly of: KeySessions;
  start: number;
  end: number;
  acc: unknown;
  /** The sequence number of its current heap entry; -1 once fired or merged away. */
  seq: number;
}

/** A key group's part of a snapshot: plain data for the state file. */
export interface SessionGroupSnapshot {
  readonly keyGroup: number;
  /** Flat quadruples: key, start, end, contents; in firing order. */
  readonly entries: unknown[];
}

export class SessionTable {
  private readonly byKey = new Map<StateKey, KeySessions>();
  /** Sessions by (end - 1, seq); entries of sessions that changed since are stale. */
  private readonly heap = new TimerHeap<Session>();
  private seq = 0;
  /** The fold as slice tables apply it (a window's elements: a list, merged in place). */
  private readonly fold: SliceFold;
  watermark = -Infinity;

  constructor(
    fold: WindowFold,
    /** Validates a new key for this subtask and returns its key group. */
    private readonly keyGroupOf: (key: unknown) => number,
  ) {
    this.fold = sliceFoldOf(fold);
  }

  /**
   * Adds an element whose own session is [start, end), merging it with the
   * key's sessions it touches; false when that session is late (it would
   * end at or before the watermark and touches no open session).
   */
  add(key: unknown, value: unknown, start: number, end: number): boolean {
    const sk = stateKeyOf(key);
    let of = this.byKey.get(sk);
    const list = of?.sessions;
    let from = 0, to = 0;
    if (list !== undefined) {
      // The first session ending at `start` or later, then those starting by `end`.
      let hi = list.length;
      while (from < hi) {
        const mid = (from + hi) >>> 1;
        if (list[mid].end < start) from = mid + 1;
        else hi = mid;
      }
      to = from;
      while (to < list.length && list[to].start <= end) to++;
    }
    if (to === from) {
      if (end - 1 <= this.watermark) return false;
      if (of === undefined) {
        of = { key, sk, keyGroup: this.keyGroupOf(key), sessions: [] };
        this.byKey.set(sk, of);
      }
      const s: Session = {
        of,
        start,
        end,
        acc: foldIn(this.fold, emptyAccumulator(this.fold), value),
        seq: this.seq++,
      };
      of.sessions.splice(from, 0, s);
      this.heap.push(s, end - 1, s.seq);
      return true;
    }
    // Open sessions end after the watermark, so what they merge into is never late.
    const s = list![from];
    const newStart = Math.min(start, s.start), newEnd = Math.max(end, list![to - 1].end);
    for (let i = from + 1; i < to; i++) {
      const other = list![i];
      s.acc = foldMerge(this.fold, s.acc, other.acc);
      other.seq = -1;
    }
    if (to - from > 1) list!.splice(from + 1, to - from - 1);
    s.acc = foldIn(this.fold, s.acc, value);
    if (newStart !== s.start || newEnd !== s.end) {
      s.start = newStart;
      s.end = newEnd;
      s.seq = this.seq++;
      this.heap.push(s, newEnd - 1, s.seq);
    }
    return true;
  }

  /** The watermark reached `watermark`: emits every session it passed, in firing order. */
  advance(watermark: number, emit: WindowEmit): void {
    this.watermark = watermark;
    const heap = this.heap;
    while (heap.size > 0 && heap.peekTime() <= watermark) {
      const seq = heap.peekSeq();
      const s = heap.pop()!;
      if (s.seq !== seq) continue; // it changed (or merged away) since this entry
      s.seq = -1;
      const of = s.of, sessions = of.sessions;
      // The earliest end of a key is its first session's, and sessions fire by end.
      const i = sessions[0] === s ? 0 : sessions.indexOf(s);
      sessions.splice(i, 1);
      if (sessions.length === 0) this.byKey.delete(of.sk);
      emit(of.key, s.acc, new TimeWindow(s.start, s.end));
    }
  }

  /** The open sessions by key group, contents copied (they change after this returns). */
  snapshot(): SessionGroupSnapshot[] {
    const open: Session[] = [];
    for (const of of this.byKey.values()) open.push(...of.sessions);
    open.sort((a, b) => a.end - b.end || a.seq - b.seq);
    const groups = new Map<number, unknown[]>();
    for (const s of open) {
      let entries = groups.get(s.of.keyGroup);
      if (entries === undefined) groups.set(s.of.keyGroup, entries = []);
      entries.push(s.of.key, s.start, s.end, snapshotAccumulator(s.acc));
    }
    return [...groups].sort((a, b) => a[0] - b[0]).map(([keyGroup, entries]) => ({
      keyGroup,
      entries,
    }));
  }

  /** Loads key groups of snapshots (of any old subtasks) into an empty table. */
  restore(groups: readonly SessionGroupSnapshot[]): void {
    for (const g of groups) {
      const entries = g.entries;
      for (let i = 0; i < entries.length; i += 4) {
        const key = entries[i], start = entries[i + 1] as number, end = entries[i + 2] as number;
        const sk = stateKeyOf(key);
        let of = this.byKey.get(sk);
        if (of === undefined) {
          this.byKey.set(sk, of = { key, sk, keyGroup: g.keyGroup, sessions: [] });
        }
        const s: Session = { of, start, end, acc: entries[i + 3], seq: this.seq++ };
        const sessions = of.sessions;
        let at = sessions.length;
        while (at > 0 && sessions[at - 1].start > start) at--;
        sessions.splice(at, 0, s);
        this.heap.push(s, end - 1, s.seq);
      }
    }
  }
}
