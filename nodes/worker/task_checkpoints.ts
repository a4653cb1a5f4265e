/**
 * A task's part in checkpoints. A source task, when triggered, captures its
 * chain's state (the reader's position included) between two polls and sends
 * the barrier downstream behind the records before it. A task with inputs
 * feeds barriers, cancel markers and ends of partition to its BarrierAligner
 * and carries out what it says: block or release channels, forward the
 * barrier, snapshot and acknowledge (or decline) the checkpoint. The captured
 * state is converted and written while records flow; the ack follows the write.
 * @module
 */

import {
  type AlignerEffect,
  type AlignmentMode,
  BarrierAligner,
  type BarrierInfo,
} from "../../core/checkpoint/barrier_aligner.ts";
import { RecordBatchEncoder } from "../../core/serde/record_batch.ts";
import { SnapshotArena } from "../../core/state/snapshot_arena.ts";
import type { InFlightBuffer, TaskCheckpointHandle } from "../protocol/task_state.ts";
import { captureChainState, type CheckpointDirOf, writeTaskState } from "./chain_state.ts";
import type { InputBuffer, InputEvent, InputGate } from "./network/input_gate.ts";
import type { RecordWriter } from "./network/record_writer.ts";
import type { OperatorChain } from "./operator_chain.ts";

/** Where acknowledgements and declines go (the slot reports them to the JobMaster). */
export interface CheckpointReporter {
  ack(checkpointId: number, handle: TaskCheckpointHandle): void;
  decline(checkpointId: number, reason: string): void;
}

/** A task's part in checkpoints: barriers, alignment, snapshots and acknowledgements. */
export class TaskCheckpoints {
  private readonly aligner: BarrierAligner | undefined;
  private pendingTrigger: BarrierInfo | undefined;
  /** Unaligned: the checkpoint whose snapshot was captured and whose in-flight data is collected. */
  private unaligned:
    | {
      checkpointId: number;
      write: (inFlight: InFlightBuffer[]) => void;
      buffers: InFlightBuffer[];
    }
    | undefined;
  /** True when buffers must be shown to the aligner (unaligned mode). */
  readonly watchesBuffers: boolean;
  /** Encodes in-flight records that came within the slot (unaligned checkpoints). */
  private readonly encoder = new RecordBatchEncoder();
  /** The memory keyed state is encoded into, reused from one checkpoint to the next. */
  private readonly arena = new SnapshotArena();

  constructor(
    private readonly writers: RecordWriter[],
    private readonly reporter: CheckpointReporter,
    private readonly gate: InputGate | undefined,
    private readonly chain: OperatorChain,
    private readonly dirOf: CheckpointDirOf,
    mode: AlignmentMode,
  ) {
    if (gate !== undefined) this.aligner = new BarrierAligner(gate.channels, mode);
    this.watchesBuffers = this.aligner !== undefined && mode === "unaligned";
    // Unaligned barriers overtake queued input (which then counts as in flight).
    if (gate !== undefined && mode === "unaligned") gate.priorityBarriers = true;
  }

  /** Unaligned mode: a buffer taken from the gate, before it is processed. */
  onBuffer(item: InputBuffer): void {
    const aligner = this.aligner!;
    if (!aligner.aligning) return;
    for (const e of aligner.onBuffer(item.channel).effects) {
      if (e.type === "persistInFlight") this.persistInFlight(e.checkpointId, [item]);
    }
  }

  /** Keeps buffers as in-flight data of unaligned checkpoint `checkpointId` (if it is the one in progress). */
  private persistInFlight(checkpointId: number, items: readonly InputBuffer[]): void {
    const u = this.unaligned;
    if (u?.checkpointId !== checkpointId) return;
    // The buffers are this task's own (transferred to it); keeping them costs no copy.
    // Records handed over within the slot are encoded now, as they stand.
    for (const b of items) {
      const data = b.data instanceof ArrayBuffer
        ? new Uint8Array(b.data)
        : new Uint8Array(this.encoder.encode(b.data.values, b.data.timestamps));
      u.buffers.push({ channel: b.channel, records: b.records, data });
    }
  }

  /** A source task was asked for checkpoint `barrier.id`; it acts between two polls. */
  trigger(barrier: BarrierInfo): void {
    if (this.chain.source === undefined) {
      this.reporter.decline(barrier.id, "only source tasks are triggered");
      return;
    }
    this.pendingTrigger = barrier;
  }

  /** The stop mode of the pending trigger, if it is a stop with savepoint. */
  get pendingStop(): BarrierInfo["stop"] {
    return this.pendingTrigger?.stop;
  }

  /** True when a source was triggered and has not taken the checkpoint yet. */
  get triggered(): boolean {
    return this.pendingTrigger !== undefined;
  }

  /** Source tasks: takes a pending checkpoint now (no record is in flight in the chain). */
  async checkpointSourceIfTriggered(): Promise<number | undefined> {
    const barrier = this.pendingTrigger;
    if (barrier === undefined) return undefined;
    this.pendingTrigger = undefined;
    const write = await this.capture(barrier.id, 0);
    this.forward(barrier);
    write?.();
    return barrier.id;
  }

  /** Tasks with inputs: an event taken from the gate. */
  async onEvent(item: InputEvent): Promise<void> {
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
    // The buffers a priority barrier overtook came before it: in-flight data of its
    // checkpoint, stored before the checkpoint's in-flight data is complete.
    let overtaken = e.t === "barrier" ? item.overtaken : undefined;
    const storeOvertaken = () => {
      if (overtaken !== undefined && e.t === "barrier") this.persistInFlight(e.id, overtaken);
      overtaken = undefined;
    };
    for (const effect of effects) {
      if (effect.type === "inFlightComplete") storeOvertaken();
      await this.apply(effect);
    }
    storeOvertaken();
  }

  private async apply(effect: AlignerEffect): Promise<void> {
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
      case "triggerSnapshot": {
        const write = await this.capture(effect.checkpointId, effect.alignmentDurationMs);
        if (this.aligner?.mode === "unaligned" && !effect.barrier.savepoint) {
          // Written once the last barrier arrived, with the in-flight data taken until then.
          if (write) this.unaligned = { checkpointId: effect.checkpointId, write, buffers: [] };
        } else write?.();
        return;
      }
      case "abort":
        if (this.unaligned?.checkpointId === effect.checkpointId) this.unaligned = undefined;
        for (const w of this.writers) w.emitEvent({ t: "cancelBarrier", id: effect.checkpointId });
        this.reporter.decline(effect.checkpointId, effect.reason);
        return;
      case "persistInFlight":
        return; // buffers come through onBuffer
      case "inFlightComplete": {
        const u = this.unaligned;
        this.unaligned = undefined;
        if (u?.checkpointId === effect.checkpointId) u.write(u.buffers);
        return;
      }
    }
  }

  /**
   * Captures the chain's state now; the returned function writes it in the
   * background and then acknowledges. Undefined when the capture failed (declined).
   */
  private async capture(
    checkpointId: number,
    alignmentDurationMs: number,
  ): Promise<((inFlight?: InFlightBuffer[]) => void) | undefined> {
    let captured;
    const syncStart = performance.now();
    try {
      captured = await captureChainState(this.chain, checkpointId, this.arena);
    } catch (e) {
      this.reporter.decline(checkpointId, `snapshot failed: ${(e as Error).message}`);
      return undefined;
    }
    const syncDurationMs = Math.round(performance.now() - syncStart);
    return (inFlight?: InFlightBuffer[]) => {
      const start = performance.now();
      Promise.resolve().then(async () => {
        const snapshot = captured.assemble(inFlight);
        const operators = Object.keys(snapshot.operators);
        const file = operators.length > 0
          ? await writeTaskState(this.dirOf(checkpointId), snapshot)
          : undefined;
        const asyncDurationMs = Math.round(performance.now() - start);
        const inFlightBytes = inFlight?.reduce((n, b) => n + b.data.byteLength, 0) ?? 0;
        this.reporter.ack(checkpointId, {
          file,
          operators,
          alignmentDurationMs,
          syncDurationMs,
          asyncDurationMs,
          inFlightBytes,
        });
      }).catch((e) =>
        this.reporter.decline(
          checkpointId,
          `writing the state of checkpoint ${checkpointId} failed: ${(e as Error).message}`,
        )
      ).finally(() => captured.release());
    };
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
