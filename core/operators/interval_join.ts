/**
 * Interval join operator (after Flink's IntervalJoinOperator): joins each
 * left record with the right records of the same key whose timestamps lie
 * within `[left + lower, left + upper]`. Both sides wait in keyed map state
 * by timestamp; each new record is joined with the other side's buffer, and
 * an event-time timer drops it once no record still to come can join it
 * (the combined watermark passed its last partner's time). Records behind the
 * watermark are late: dropped, or sent to their input's late side output if
 * one is set. Records without a timestamp are an error.
 * @module
 */

import type { ProcessJoinContext, ProcessJoinFunction } from "../api/co_functions.ts";
import type { KeySelector, OutputTag } from "../api/functions.ts";
import { type MapState, MapStateDescriptor } from "../api/state.ts";
import type { KeyedStateBackend } from "../state/keyed_state_backend.ts";
import type { InternalTimerService, Timer } from "../time/timer_service.ts";
import type { Output } from "./stream_operator.ts";
import { AbstractTwoInputStreamOperator } from "./two_input_operator.ts";

/** The interval of right timestamps, relative to the left one, that join. */
export interface JoinBounds {
  readonly lowerMs: number;
  readonly upperMs: number;
  readonly lowerInclusive: boolean;
  readonly upperInclusive: boolean;
  /** Side outputs for records behind the watermark (dropped when unset), per input. */
  readonly leftLateTag?: string;
  readonly rightLateTag?: string;
}

const LEFT = "left";
const RIGHT = "right";

class JoinContext implements ProcessJoinContext {
  left = 0;
  right = 0;
  constructor(private readonly out: Output<unknown>) {}
  leftTimestamp(): number {
    return this.left;
  }
  rightTimestamp(): number {
    return this.right;
  }
  timestamp(): number {
    return Math.max(this.left, this.right);
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag.id, value);
  }
}

/**
 * Calls the join function for each pair within the bounds, as soon as the
 * later of the two records arrives; the pair is emitted with the later
 * timestamp.
 *
 * @example
 * ```ts
 * import { IntervalJoinOperator } from "./interval_join.ts";
 * type Ev = { k: string };
 * const op = new IntervalJoinOperator<string, Ev, Ev, string>(
 *   { processElement: (l, r, ctx, out) => out.collect(`${l.k}@${ctx.timestamp()}`) },
 *   (e) => e.k,
 *   (e) => e.k,
 *   { lowerMs: -5, upperMs: 5, lowerInclusive: true, upperInclusive: true },
 * );
 * ```
 */
export class IntervalJoinOperator<K, L, R, OUT>
  extends AbstractTwoInputStreamOperator<L, R, OUT, ProcessJoinFunction<L, R, OUT>> {
  private backend!: KeyedStateBackend;
  private timers!: InternalTimerService;
  private leftBuffer!: MapState<number, L[]>;
  private rightBuffer!: MapState<number, R[]>;
  private context!: JoinContext;

  constructor(
    fn: ProcessJoinFunction<L, R, OUT>,
    private readonly leftKey: KeySelector<L, K>,
    private readonly rightKey: KeySelector<R, K>,
    private readonly bounds: JoinBounds,
  ) {
    super(fn);
  }
  override open(): void | Promise<void> {
    this.backend = this.ctx.keyedBackend!;
    this.timers = this.ctx.timerService!;
    this.leftBuffer = this.backend.getMapState(new MapStateDescriptor<number, L[]>("_join_left"));
    this.rightBuffer = this.backend.getMapState(new MapStateDescriptor<number, R[]>("_join_right"));
    this.context = new JoinContext(this.output);
    this.timers.setTriggerable({ onEventTime: (t) => this.cleanUp(t), onProcessingTime() {} });
    return super.open();
  }

  processElement(record: L): void {
    this.backend.setCurrentKey(this.leftKey(record));
    const ts = this.timestampOf(LEFT);
    if (ts < this.currentWatermark()) return this.late(this.bounds.leftLateTag, record);
    add(this.leftBuffer, ts, record);
    for (const [rightTs, rights] of this.rightBuffer.entries()) {
      if (!this.within(rightTs - ts)) continue;
      for (const right of rights) this.emit(record, right, ts, rightTs);
    }
    this.timers.registerEventTimeTimer(LEFT, ts + this.leftRetentionMs());
  }

  processElement2(record: R): void {
    this.backend.setCurrentKey(this.rightKey(record));
    const ts = this.timestampOf(RIGHT);
    if (ts < this.currentWatermark()) return this.late(this.bounds.rightLateTag, record);
    add(this.rightBuffer, ts, record);
    for (const [leftTs, lefts] of this.leftBuffer.entries()) {
      if (!this.within(ts - leftTs)) continue;
      for (const left of lefts) this.emit(left, record, leftTs, ts);
    }
    this.timers.registerEventTimeTimer(RIGHT, ts + this.rightRetentionMs());
  }

  /** A record behind the watermark: to its input's late side output, or dropped. */
  private late(tag: string | undefined, record: unknown): void {
    if (tag !== undefined) this.output.collectSide(tag, record);
  }

  /** Whether `rightTs - leftTs` is within the bounds. */
  private within(delta: number): boolean {
    const b = this.bounds;
    return (b.lowerInclusive ? delta >= b.lowerMs : delta > b.lowerMs) &&
      (b.upperInclusive ? delta <= b.upperMs : delta < b.upperMs);
  }

  // A left record's last partner has timestamp left + upper; a right record's
  // last partner, right - lower. Once the watermark passes it, the record goes.
  private leftRetentionMs(): number {
    return Math.max(this.bounds.upperMs, 0);
  }
  private rightRetentionMs(): number {
    return Math.max(-this.bounds.lowerMs, 0);
  }

  private cleanUp(timer: Timer): void {
    if (timer.namespace === LEFT) this.leftBuffer.remove(timer.timestamp - this.leftRetentionMs());
    else this.rightBuffer.remove(timer.timestamp - this.rightRetentionMs());
  }

  private emit(left: L, right: R, leftTs: number, rightTs: number): void {
    const c = this.context;
    c.left = leftTs;
    c.right = rightTs;
    this.ctx.timestamp.value = Math.max(leftTs, rightTs);
    this.userFunction.processElement(left, right, c, this.output);
  }

  private timestampOf(side: string): number {
    const ts = this.ctx.timestamp.get();
    if (ts === undefined) {
      throw new Error(
        `interval join '${this.ctx.operatorName}': a record of the ${side} input has no ` +
          `timestamp; interval joins run in event time: call assignTimestampsAndWatermarks() ` +
          `on both inputs before intervalJoin()`,
      );
    }
    return ts;
  }
}

/** Appends `record` to the list at `ts` (a new list: a snapshot may still hold the old one). */
function add<T>(buffer: MapState<number, T[]>, ts: number, record: T): void {
  const list = buffer.get(ts);
  buffer.put(ts, list === undefined ? [record] : [...list, record]);
}
