/**
 * Interval joins of two keyed streams (after Flink's KeyedStream.IntervalJoin):
 * `left.intervalJoin(right).between(lowerMs, upperMs).process(fn)` pairs
 * each left record with the right records of the same key whose timestamps
 * lie within `[left + lowerMs, left + upperMs]`. Event time only: both
 * streams need timestamps and watermarks.
 * @module
 */

import { IntervalJoinOperator, type JoinBounds } from "../operators/interval_join.ts";
import { checkSameEnvironment, twoInputStream } from "./_two_input.ts";
import type { ProcessJoinFunction } from "../api/co_functions.ts";
import type { DataStream } from "./data_stream.ts";
import type { OutputTag } from "../api/functions.ts";
import type { KeyedStream } from "./keyed_stream.ts";

/**
 * Two keyed streams to join by time; set the interval with `between`.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment, WatermarkStrategy } from "spate";
 * type Ev = { user: string; atMs: number };
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * const timed = WatermarkStrategy.forMonotonousTimestamps<Ev>().withTimestampAssigner((e) => e.atMs);
 * const clicks = env.fromElements({ user: "a", atMs: 10 }).assignTimestampsAndWatermarks(timed);
 * const views = env.fromElements({ user: "a", atMs: 8 }).assignTimestampsAndWatermarks(timed);
 * clicks.keyBy((c) => c.user)
 *   .intervalJoin(views.keyBy((v) => v.user))
 *   .between(-5, 0)
 *   .process<string>({
 *     processElement: (c, v, ctx, out) => out.collect(`${c.user}: ${v.atMs} -> ${c.atMs}`),
 *   })
 *   .print();
 * ```
 */
export class IntervalJoin<IN1, IN2, K> {
  constructor(readonly left: KeyedStream<IN1, K>, readonly right: KeyedStream<IN2, K>) {
    checkSameEnvironment(left, right, "intervalJoin()");
  }

  /**
   * Joins a left record at `t` with the right records at `t + lowerMs` up to
   * `t + upperMs`, both bounds inclusive unless made exclusive.
   */
  between(lowerMs: number, upperMs: number): IntervalJoined<IN1, IN2, K> {
    if (!Number.isFinite(lowerMs) || !Number.isFinite(upperMs) || lowerMs > upperMs) {
      throw new RangeError(
        `intervalJoin().between(lowerMs, upperMs) needs finite bounds with lowerMs <= upperMs, ` +
          `got ${lowerMs}, ${upperMs}`,
      );
    }
    return new IntervalJoined(this.left, this.right, lowerMs, upperMs);
  }
}

/** An interval join with its bounds; finish it with `process`. */
export class IntervalJoined<IN1, IN2, K> {
  private lowerInclusive = true;
  private upperInclusive = true;
  private leftLate: OutputTag<IN1> | undefined;
  private rightLate: OutputTag<IN2> | undefined;

  constructor(
    private readonly left: KeyedStream<IN1, K>,
    private readonly right: KeyedStream<IN2, K>,
    private readonly lowerMs: number,
    private readonly upperMs: number,
  ) {}

  /** A right record exactly at `t + lowerMs` does not join. */
  lowerBoundExclusive(): this {
    this.lowerInclusive = false;
    return this;
  }

  /** A right record exactly at `t + upperMs` does not join. */
  upperBoundExclusive(): this {
    this.upperInclusive = false;
    return this;
  }

  /** Left records behind the watermark go to the side output `tag` instead of being dropped. */
  sideOutputLeftLateData(tag: OutputTag<IN1>): this {
    this.leftLate = tag;
    return this;
  }

  /** Right records behind the watermark go to the side output `tag` instead of being dropped. */
  sideOutputRightLateData(tag: OutputTag<IN2>): this {
    this.rightLate = tag;
    return this;
  }

  /** Calls `fn` for each joined pair; what it emits carries the later of the two timestamps. */
  process<R>(fn: ProcessJoinFunction<IN1, IN2, R>): DataStream<R> {
    const { left, right } = this;
    const bounds: JoinBounds = {
      lowerMs: this.lowerMs,
      upperMs: this.upperMs,
      lowerInclusive: this.lowerInclusive,
      upperInclusive: this.upperInclusive,
      leftLateTag: this.leftLate?.id,
      rightLateTag: this.rightLate?.id,
    };
    return twoInputStream(
      left,
      right,
      "Interval Join",
      () => new IntervalJoinOperator(fn, left.keySelector, right.keySelector, bounds),
      left.keySelector,
      right.keySelector,
    );
  }
}
