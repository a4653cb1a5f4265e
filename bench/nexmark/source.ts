/**
 * The Nexmark source: subtask s of P emits event numbers s, s + P, s + 2P, ...
 * so event time advances in lockstep across subtasks and never goes back
 * within one. Its checkpointed position is the arithmetic sequences it still
 * has to emit; a job restored at another parallelism splits and deals them
 * out again, so nothing is lost and nothing repeats.
 * @module
 */

import type { DataStream, StreamExecutionEnvironment } from "spate";
import { WatermarkStrategy } from "spate";
import type { RecordOutput } from "../../core/operators/stream_operator.ts";
import type {
  Availability,
  SourceContext,
  SourceReader,
  SourceSpec,
} from "../../core/connectors/source_reader.ts";
import { type NexmarkConfig, nexmarkConfig, nexmarkEvent } from "./generator.ts";
import { eventTime, type NexmarkEvent } from "./model.ts";

/** Event numbers next, next + stride, ... (below the source's event count). */
type Sequence = [next: number, stride: number];

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * Subtask `index` of `parallelism`'s share of `sequences`: when their count
 * is not a multiple of the parallelism, each is first split into k
 * interleaved ones (k = parallelism / gcd), so every subtask gets as many.
 */
export function redistributeSequences(
  sequences: readonly Sequence[],
  parallelism: number,
  index: number,
): Sequence[] {
  const count = sequences.length;
  if (count === 0) return [];
  const k = parallelism / gcd(count, parallelism);
  const mine: Sequence[] = [];
  for (let i = 0; i < count * k; i++) {
    if (i % parallelism !== index) continue;
    const [next, stride] = sequences[Math.floor(i / k)];
    mine.push([next + (i % k) * stride, stride * k]);
  }
  return mine;
}

function isSequence(s: unknown): s is Sequence {
  return Array.isArray(s) && s.length === 2 && Number.isSafeInteger(s[0]) && s[0] >= 0 &&
    Number.isSafeInteger(s[1]) && s[1] >= 1;
}

class NexmarkReader implements SourceReader<NexmarkEvent> {
  /** Sequences still to emit (each with next < events), in order of next. */
  private sequences: Sequence[] = [];
  private ctx!: SourceContext;

  constructor(private readonly events: number, private readonly config: NexmarkConfig) {}

  open(ctx: SourceContext): void {
    this.ctx = ctx;
    this.keep([[ctx.subtaskIndex, ctx.parallelism]]);
  }

  pollNext(output: RecordOutput<NexmarkEvent>, gate: Availability, maxRecords: number): boolean {
    if (this.sequences.length === 1) {
      this.emitOne(this.sequences[0], output, gate, maxRecords);
    } else {
      this.emitMerged(output, gate, maxRecords);
    }
    this.keep(this.sequences);
    return this.sequences.length > 0;
  }

  /** The common case: one sequence, no merging. */
  private emitOne(
    seq: Sequence,
    output: RecordOutput<NexmarkEvent>,
    gate: Availability,
    maxRecords: number,
  ): void {
    const config = this.config, events = this.events, stride = seq[1];
    let n = seq[0];
    for (let budget = maxRecords; budget > 0 && n < events && gate.available; budget--) {
      output.collect(nexmarkEvent(n, config));
      n += stride;
    }
    seq[0] = n;
  }

  /** After a restore: the lowest next event number among the sequences first, so time never goes back. */
  private emitMerged(output: RecordOutput<NexmarkEvent>, gate: Availability, maxRecords: number) {
    const sequences = this.sequences, config = this.config, events = this.events;
    for (let budget = maxRecords; budget > 0 && gate.available; budget--) {
      let low: Sequence | undefined;
      for (const s of sequences) if (s[0] < events && (low === undefined || s[0] < low[0])) low = s;
      if (low === undefined) return;
      output.collect(nexmarkEvent(low[0], config));
      low[0] += low[1];
    }
  }

  private keep(sequences: readonly Sequence[]): void {
    this.sequences = sequences.filter(([next]) => next < this.events);
  }

  snapshotState(): Sequence[] {
    return this.sequences.map(([next, stride]) => [next, stride]);
  }

  restoreState(states: readonly unknown[]): void {
    const all: Sequence[] = [];
    for (const [i, state] of states.entries()) {
      if (!Array.isArray(state) || !state.every(isSequence)) {
        throw new Error(
          `Nexmark source state of subtask ${i} is not a list of [next, stride] pairs: ` +
            `${JSON.stringify(state)}; was the checkpoint written by another source?`,
        );
      }
      all.push(...state);
    }
    const { parallelism, subtaskIndex } = this.ctx;
    this.keep(redistributeSequences(all, parallelism, subtaskIndex));
  }

  close(): void {}
}

/**
 * A source of Nexmark events 0 .. events - 1 (`Infinity`: unbounded), as
 * `nexmarkEvent` generates them from `config`.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * import { nexmarkSource } from "./source.ts";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * env.fromSource(nexmarkSource(10_000, { seed: 1 }), "Source: Nexmark").print();
 * ```
 */
export function nexmarkSource(
  events: number,
  config: Partial<NexmarkConfig> = {},
): SourceSpec<NexmarkEvent> {
  if (!(events >= 0 && (Number.isSafeInteger(events) || events === Infinity))) {
    throw new RangeError(`Nexmark events must be an integer >= 0 or Infinity, got ${events}`);
  }
  const full = nexmarkConfig(config);
  return {
    bounded: events !== Infinity,
    createReader: () => new NexmarkReader(events, full),
  };
}

/**
 * The Nexmark event stream of `events` events (`Infinity`: unbounded), with
 * each event's `dateTime` as its timestamp and watermarks trailing the
 * newest timestamp of each source subtask.
 *
 * @example
 * ```ts
 * import { StreamExecutionEnvironment } from "spate";
 * import { nexmarkEvents } from "./source.ts";
 * const env = StreamExecutionEnvironment.getExecutionEnvironment();
 * nexmarkEvents(env, 100_000, { eventsPerSecond: 10_000 }).print();
 * ```
 */
export function nexmarkEvents(
  env: StreamExecutionEnvironment,
  events: number,
  config: Partial<NexmarkConfig> = {},
): DataStream<NexmarkEvent> {
  return env.fromSource(nexmarkSource(events, config), "Source: Nexmark")
    .uid("nexmark-source")
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forMonotonousTimestamps<NexmarkEvent>()
        .withTimestampAssigner(eventTime),
    );
}
