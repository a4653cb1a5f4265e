/**
 * The context objects process functions get: one instance per operator,
 * reused for every record and timer (no allocation per call). It reads the
 * task's current record timestamp, the keyed backend's current key and the
 * operator's timers; side outputs go through the operator's Output.
 * @module
 */

import type { OnTimerContext, OutputTag, TimeDomain, TimerService } from "../api/functions.ts";
import { NO_TIMESTAMP, type OperatorContext, type Output } from "./stream_operator.ts";

/** Namespace of the timers a (Co)KeyedProcessFunction registers. */
const PROCESS_NAMESPACE = "";

class FunctionTimerService implements TimerService {
  private watermark = Number.NEGATIVE_INFINITY;
  constructor(private readonly ctx: OperatorContext) {}
  currentProcessingTime(): number {
    return this.ctx.processingTime.now();
  }
  currentWatermark(): number {
    return this.ctx.timerService?.currentWatermark ?? this.watermark;
  }
  /** Non-keyed operators track their watermark here. */
  setWatermark(watermark: number): void {
    this.watermark = watermark;
  }
  registerEventTimeTimer(timeMs: number): void {
    this.timers().registerEventTimeTimer(PROCESS_NAMESPACE, timeMs);
  }
  registerProcessingTimeTimer(timeMs: number): void {
    this.timers().registerProcessingTimeTimer(PROCESS_NAMESPACE, timeMs);
  }
  deleteEventTimeTimer(timeMs: number): void {
    this.timers().deleteEventTimeTimer(PROCESS_NAMESPACE, timeMs);
  }
  deleteProcessingTimeTimer(timeMs: number): void {
    this.timers().deleteProcessingTimeTimer(PROCESS_NAMESPACE, timeMs);
  }
  private timers() {
    const t = this.ctx.timerService;
    if (t === undefined) {
      throw new Error(
        `operator '${this.ctx.operatorName}': timers need a keyed stream (keyBy() before process())`,
      );
    }
    return t;
  }
}

/** The context of processElement and onTimer calls of one operator. */
export class FunctionContext<K> implements OnTimerContext<K> {
  readonly subtaskIndex: number;
  private readonly timers: FunctionTimerService;
  /** Set by the operator around onTimer calls. */
  domain: TimeDomain = "event_time";

  constructor(private readonly ctx: OperatorContext, private readonly out: Output<unknown>) {
    this.subtaskIndex = ctx.subtaskIndex;
    this.timers = new FunctionTimerService(ctx);
  }
  timestamp(): number | undefined {
    return this.ctx.timestamp.get();
  }
  output<X>(tag: OutputTag<X>, value: X): void {
    this.out.collectSide(tag.id, value);
  }
  timerService(): TimerService {
    return this.timers;
  }
  getCurrentKey(): K {
    return this.ctx.keyedBackend?.currentKey as K;
  }
  timeDomain(): TimeDomain {
    return this.domain;
  }
  /** Non-keyed operators: the watermark `currentWatermark()` reports. */
  setWatermark(watermark: number): void {
    this.timers.setWatermark(watermark);
  }
}

/**
 * Routes the operator's fired timers to `fn.onTimer` with `context` (its time
 * domain set) and the record timestamp Flink gives what a timer emits: the
 * timer's time for event time, none for processing time. One routing for
 * every keyed process operator (plain, co-, broadcast).
 */
export function routeTimers<C, O>(
  ctx: OperatorContext,
  fn: { onTimer?(timestamp: number, context: C, out: O): void },
  context: C & { domain: TimeDomain },
  out: O,
): void {
  const fire = (timestamp: number, domain: TimeDomain, recordTimestamp: number) => {
    if (fn.onTimer === undefined) return;
    ctx.timestamp.value = recordTimestamp;
    context.domain = domain;
    fn.onTimer(timestamp, context, out);
  };
  ctx.timerService!.setTriggerable({
    onEventTime: (t) => fire(t.timestamp, "event_time", t.timestamp),
    onProcessingTime: (t) => fire(t.timestamp, "processing_time", NO_TIMESTAMP),
  });
}

export { PROCESS_NAMESPACE };
