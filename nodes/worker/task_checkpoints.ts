/**
 * A task's part in checkpoints. A source task, when triggered, snapshots its
 * reader's position between two polls and sends the barrier downstream
 * behind the records before it. A task with inputs feeds barriers, cancel
 * markers and ends of partition to its BarrierAligner and carries out what
 * it says: block or release channels, forward the barrier, acknowledge (or
 * decline) the checkpoint.
 * @module
 */

import {
  type AlignerEffect,
  type AlignmentMode,
  BarrierAligner,
  type BarrierInfo,
} from "../../core/checkpoint/barrier_aligner.ts";
import type { SourceReader } from "../../core/connectors/source_reader.ts";
import type { InputEvent, InputGate } from "./network/input_gate.ts";
import type { RecordWriter } from "./network/record_writer.ts";

/** What a task hands the JobMaster for one checkpoint. */
export interface TaskCheckpointHandle {
  /** The source reader's position (source tasks). */
  readonly sourceState?: unknown;
  /** Time from the first to the last barrier of the checkpoint at this task. */
  readonly alignmentDurationMs: number;
}

/** Where acknowledgements and declines go (the slot reports them to the JobMaster). */
export interface CheckpointReporter {
  ack(checkpointId: number, handle: TaskCheckpointHandle): void;
  decline(checkpointId: number, reason: string): void;
}

export class TaskCheckpoints {
  private readonly aligner: BarrierAligner | undefined;
  private pendingTrigger: BarrierInfo | undefined;

  constructor(
    private readonly writers: RecordWriter[],
    private readonly reporter: CheckpointReporter,
    private readonly gate: InputGate | undefined,
    private readonly source: SourceReader<unknown> | undefined,
    mode: AlignmentMode,
  ) {
    if (gate !== undefined) this.aligner = new BarrierAligner(gate.channels, mode);
  }

  /** A source task was asked for checkpoint `barrier.id`; it acts between two polls. */
  trigger(barrier: BarrierInfo): void {
    if (this.source === undefined) {
      this.reporter.decline(barrier.id, "only source tasks are triggered");
      return;
    }
    this.pendingTrigger = barrier;
  }

  /** Source tasks: takes a pending checkpoint now (no record is in flight in the chain). */
  checkpointSourceIfTriggered(): void {
    const barrier = this.pendingTrigger;
    if (barrier === undefined) return;
    this.pendingTrigger = undefined;
    const sourceState = this.source!.snapshotState?.();
    this.forward(barrier);
    this.reporter.ack(barrier.id, { sourceState, alignmentDurationMs: 0 });
  }

  /** Tasks with inputs: an event taken from the gate. */
  onEvent(item: InputEvent): void {
    const aligner = this.aligner!;
    const now = performance.now();
    const e = item.event;
    const effects = e.t === "barrier"
      ? aligner.onBarrier(item.channel, {
        id: e.id,
        timestampMs: e.timestampMs,
        savepoint: e.savepoint,
      }, now)
      : e.t === "cancelBarrier"
      ? aligner.onCancelCheckpoint(item.channel, e.id)
      : aligner.onEndOfPartition(item.channel, now);
    for (const effect of effects) this.apply(effect);
  }

  private apply(effect: AlignerEffect): void {
    switch (effect.type) {
      case "block":
        this.gate!.block(effect.channel);
        return;
      case "unblockAll":
        this.gate!.unblockAll();
        return;
      case "forwardBarrier":
        this.forward(effect.barrier);
        return;
      case "triggerSnapshot":
        this.reporter.ack(effect.checkpointId, { alignmentDurationMs: effect.alignmentDurationMs });
        return;
      case "abort":
        for (const w of this.writers) w.emitEvent({ t: "cancelBarrier", id: effect.checkpointId });
        this.reporter.decline(effect.checkpointId, effect.reason);
        return;
      case "persistInFlight":
      case "inFlightComplete":
        // Unaligned checkpoints are refused before a job starts (in-flight data is not stored yet).
        return;
    }
  }

  private forward(barrier: BarrierInfo): void {
    for (const w of this.writers) {
      w.emitEvent({
        t: "barrier",
        id: barrier.id,
        timestampMs: barrier.timestampMs,
        savepoint: barrier.savepoint,
      });
    }
  }
}
