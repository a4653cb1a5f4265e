/**
 * A source task's side of watermark alignment: every update interval, the
 * event-time progress of each aligned step of its chain goes to the
 * JobMaster, whose answer is the furthest the source may go; once a step is
 * past it, the source stops reading (between two records: the task's read
 * gate closes) until a later answer lets it go on, while checkpoints, timers
 * and cancellation still run. At the end of input the task says it
 * finished, so its group does not wait for it.
 *
 * Progress is the largest event timestamp a step has read, not its last
 * watermark: it is known after every record (a watermark only every
 * emission interval, and emitting one per record would flush every
 * channel), and with one strategy per group (bounded out-of-orderness) the
 * two differ by the same amount on every source, so the drift is the same.
 * @module
 */

import type { WatermarkAlignment } from "../../core/time/watermark_strategy.ts";
import { TimestampsAndWatermarksOperator } from "../../core/operators/timestamps_and_watermarks.ts";
import type { ProcessingTimeService, ScheduledTimer } from "../../core/time/processing_time.ts";

/** A step of the chain that makes watermarks under an alignment (its TimestampsAndWatermarks). */
export interface AlignedWatermarks {
  readonly alignment: WatermarkAlignment;
  /** The largest event timestamp it has read (-Infinity before the first record). */
  readonly maxTimestamp: number;
  /** Marked idle by its strategy's idle timeout. */
  readonly isIdle: boolean;
}

/** What the task sends of one group: its progress (absent: none yet), or idle, or finished. */
export interface AlignmentReport {
  readonly group: string;
  readonly watermark?: number;
  readonly idle?: boolean;
  readonly finished?: boolean;
  readonly maxDriftMs: number;
  /** The source's vertex and parallelism: the group waits for a report of each subtask. */
  readonly vertexId: number;
  readonly parallelism: number;
}

/** The source task an alignment belongs to. */
export interface AlignedSource {
  readonly vertexId: number;
  readonly parallelism: number;
}

/**
 * Least processing time (ms) between two reports of a source besides its
 * interval ones: a source that is paused, or that moved on by a quarter of
 * its drift, reports at once, but not more often than this.
 */
export const MIN_REPORT_SPACING_MS = 5;

/** The aligned steps of one source task and the limits its coordinator answered. */
export class SourceAlignment {
  /** Per step, the furthest it may go: before the first answer, its first record. */
  private readonly limits: number[];
  /** Per step, the progress it last reported. */
  private readonly reported: number[];
  /** Per step, how far it moves on before it reports without waiting for its interval. */
  private readonly reportEvery: number[];
  private readonly timers: ScheduledTimer[] = [];
  private time: ProcessingTimeService | undefined;
  private lastReportMs = -Infinity;
  /** The report held back by MIN_REPORT_SPACING_MS, if one is. */
  private early: ScheduledTimer | undefined;

  constructor(
    private readonly steps: readonly AlignedWatermarks[],
    private readonly source: AlignedSource,
    private readonly send: (report: AlignmentReport) => void,
  ) {
    this.limits = steps.map(() => -Infinity);
    this.reported = steps.map(() => -Infinity);
    this.reportEvery = steps.map((s) => s.alignment.maxDriftMs / 4);
  }

  /**
   * True when a step is past its limit: checked after every record the
   * source emits. A paused source, or one that moved on by a quarter of its
   * drift, reports now: a source reading a file moves through event time
   * much faster than the update interval, and would otherwise wait on its
   * group's reports of up to an interval ago (measured: p2 1.69x slower
   * than p1 with alignment on, see BENCHMARKS.md).
   */
  get paused(): boolean {
    const steps = this.steps;
    let paused = false, behind = false;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.isIdle) continue;
      const t = s.maxTimestamp;
      if (t > this.limits[i]) paused = true;
      else if (t - this.reported[i] > this.reportEvery[i]) behind = true;
    }
    if (paused || behind) this.reportSoon();
    return paused;
  }

  /** Starts reporting every update interval on `time`. */
  start(time: ProcessingTimeService): void {
    this.time = time;
    this.steps.forEach((step, i) => {
      const interval = step.alignment.updateIntervalMs;
      const tick = (t: number) => {
        this.reportOf(i);
        this.timers.push(time.registerTimer(t + interval, tick));
      };
      this.reportOf(i);
      this.timers.push(time.registerTimer(time.now() + interval, tick));
    });
  }

  /** The coordinator's answer for `group`. */
  update(group: string, limit: number): void {
    this.steps.forEach((s, i) => {
      if (s.alignment.group === group) this.limits[i] = limit;
    });
  }

  /** The source ended: its groups stop waiting for it. */
  finish(): void {
    for (const t of this.timers) t.cancel();
    this.early?.cancel();
    for (const s of this.steps) this.send({ ...this.about(s), finished: true });
  }

  /** Reports every step now, or once MIN_REPORT_SPACING_MS has passed since the last report. */
  private reportSoon(): void {
    const time = this.time;
    if (time === undefined || this.early !== undefined) return;
    const at = this.lastReportMs + MIN_REPORT_SPACING_MS;
    if (time.now() >= at) this.reportAll();
    else this.early = time.registerTimer(at, this.reportAll);
  }

  private readonly reportAll = (): void => {
    this.early = undefined;
    for (let i = 0; i < this.steps.length; i++) this.reportOf(i);
  };

  private reportOf(i: number): void {
    const s = this.steps[i];
    this.lastReportMs = this.time?.now() ?? -Infinity;
    this.reported[i] = s.maxTimestamp;
    if (s.isIdle) this.send({ ...this.about(s), idle: true });
    else if (!Number.isFinite(s.maxTimestamp)) this.send(this.about(s));
    else this.send({ ...this.about(s), watermark: s.maxTimestamp });
  }

  private about(s: AlignedWatermarks): AlignmentReport {
    const { vertexId, parallelism } = this.source;
    return { group: s.alignment.group, maxDriftMs: s.alignment.maxDriftMs, vertexId, parallelism };
  }
}

/** The steps of `operators` (a chain) that make watermarks under an alignment. */
export function alignedSteps(
  operators: readonly { op: unknown; node: { name: string } }[],
): { step: AlignedWatermarks; name: string }[] {
  const steps: { step: AlignedWatermarks; name: string }[] = [];
  for (const { op, node } of operators) {
    if (!(op instanceof TimestampsAndWatermarksOperator) || op.alignment === undefined) continue;
    steps.push({ name: node.name, step: op as AlignedWatermarks });
  }
  return steps;
}
