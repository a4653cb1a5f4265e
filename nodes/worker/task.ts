/**
 * StreamTask: one subtask of a vertex, run as a mailbox loop on the slot's
 * thread. The loop takes one unit of work at a time (a source batch, an input
 * buffer, a flush tick) and never re-enters; it waits, without spinning, when
 * its outputs are backpressured or its inputs are empty.
 * @module
 */

import type { JobPlan } from "../../core/graph/job_plan.ts";
import type { TaskFailure, TaskMetrics } from "../../core/graph/job_result.ts";
import type { JobVertex } from "../../core/graph/job_graph.ts";
import { RecordBatchDecoder } from "../../core/serde/record_batch.ts";
import type { RecordArray } from "./network/channel.ts";
import { InSlotChannels } from "./network/in_slot_channel.ts";
import type { InputGate } from "./network/input_gate.ts";
import { OutputAvailability } from "./network/output_availability.ts";
import type { RecordWriter } from "./network/record_writer.ts";
import { errorOperator, OperatorChain, tagError } from "./operator_chain.ts";
import type { TaskDescriptor } from "./slot_protocol.ts";
import { networkMetrics, type TaskNetwork, wireTaskNetwork } from "./task_network.ts";
import { SourceBatchSize } from "./source_batch.ts";
import { yieldToEventLoop } from "./yield.ts";
import { type CheckpointReporter, TaskCheckpoints } from "./task_checkpoints.ts";
import type { InFlightBuffer } from "../protocol/task_state.ts";
import { jobIdOfAttempt } from "../protocol/ids.ts";
import { restoreChainState } from "./chain_state.ts";
import { checkpointDirIn } from "../../core/checkpoint/checkpoint_storage.ts";
import { fileSystemFor } from "../../core/fs/file_system.ts";
import { isS3Location } from "../../core/fs/location.ts";
import type { BarrierInfo, StopMode } from "../../core/checkpoint/barrier_aligner.ts";
import { OPTIONS } from "../../core/config/options.ts";
import { NO_TIMESTAMP, RecordTimestamp } from "../../core/operators/stream_operator.ts";
import { TaskProcessingTimeService } from "../../core/time/processing_time.ts";
import { MAX_WATERMARK } from "../../core/time/watermark.ts";
import { InputWatermarks } from "./input_watermarks.ts";
import { alignedSteps, type AlignmentReport, SourceAlignment } from "./source_alignment.ts";
import type { IngestHost } from "../../core/connectors/http_ingest/ingest_protocol.ts";

/** A slot's managed memory when its deployment names none (tests, embedded runs). */
const DEFAULT_SLOT_MEMORY_BYTES = 128 * 1024 * 1024;

/** Records a source emits per mailbox turn at most (fewer when its chain is costly). */
const SOURCE_BATCH_RECORDS = 2048;

/** The task was cancelled; not a failure. */
export class TaskCancelledError extends Error {
  override readonly name = "TaskCancelledError";
}

/** One subtask in a slot: its operator chain, its channels, and the mailbox loop. */
export class StreamTask {
  private readonly vertex: JobVertex;
  private readonly availability = new OutputAvailability();
  private readonly network: TaskNetwork;
  private readonly writers: Map<number, RecordWriter>;
  private readonly gate: InputGate | undefined;
  private readonly chain: OperatorChain;
  /** The event timestamp of the record in process, shared by the chain and the writers. */
  private readonly timestamp = new RecordTimestamp();
  private readonly processingTime = new TaskProcessingTimeService(() => {
    this.gate?.wake();
    this.wakeSource?.();
  });
  private cancelled = false;
  /** Stopped by a savepoint without drain (its source, or an input that ended so). */
  private suspended = false;
  /** Whether the job runs in batch mode (processing-time timers fire at the end of input). */
  private readonly batch: boolean;
  /** An error from outside the loop (a failed commit); the loop throws it. */
  private asyncError: Error | undefined;
  /** Highest checkpoint id known complete everywhere. */
  private completedCheckpoint = 0;
  /** The chain's completion notices, in order (each waits for the one before). */
  private notifying: Promise<void> = Promise.resolve();
  /** Wakes a source that waits for its final checkpoint. */
  private wakeSource: (() => void) | undefined;
  /** Records that entered the chain: from the source reader, or from the input gate. */
  private recordsIn = 0;
  private backpressuredMs = 0;
  /** The input watermarks of a task with inputs, once it runs them. */
  private inputWatermarks: InputWatermarks | undefined;

  private readonly checkpoints: TaskCheckpoints;
  /** Watermark alignment of a source task whose chain makes aligned watermarks. */
  private readonly alignment: SourceAlignment | undefined;

  constructor(
    private readonly descriptor: TaskDescriptor,
    private readonly plan: JobPlan,
    sendToClient: (collectId: number, records: unknown[]) => void,
    checkpointReporter: CheckpointReporter = { ack() {}, decline() {} },
    inSlot: InSlotChannels = new InSlotChannels(),
    reportWatermark: (report: AlignmentReport) => void = () => {},
    private readonly ingest?: IngestHost,
  ) {
    const vertex = plan.jobGraph.vertices.find((v) => v.id === descriptor.vertexId);
    if (vertex === undefined) throw new Error(`job has no vertex ${descriptor.vertexId}`);
    this.vertex = vertex;
    const settings = plan.streamGraph.settings;
    this.batch = settings.batch;
    this.network = wireTaskNetwork(descriptor, plan, this.availability, this.timestamp, inSlot);
    this.writers = this.network.writers;
    this.gate = this.network.gate;
    this.chain = new OperatorChain(plan.streamGraph, vertex, {
      subtaskIndex: descriptor.subtaskIndex,
      jobId: jobIdOfAttempt(descriptor.job.attemptId),
      batch: settings.batch,
      checkpointing: (descriptor.checkpointIntervalMs ?? 0) > 0,
      managedMemoryBytes: descriptor.managedMemoryBytes ?? DEFAULT_SLOT_MEMORY_BYTES,
      spillDirectory: descriptor.spillDirectory ??
        `${Deno.env.get("TMPDIR") ?? "/tmp"}/spate-spill`,
      writersOf: (nodeId) =>
        vertex.outputs.filter((e) => e.sourceNode === nodeId).map((e) => ({
          edgeId: e.id,
          output: this.writers.get(e.id)!,
        })),
      sendToClient,
      timestamp: this.timestamp,
      processingTime: this.processingTime,
      backpressure: this.availability,
    });
    this.alignment = this.sourceAlignment(reportWatermark);
    this.checkpoints = new TaskCheckpoints(
      [...this.writers.values()],
      checkpointReporter,
      this.gate,
      this.chain,
      (id) => checkpointDirIn(descriptor.checkpointDir!, id),
      descriptor.checkpointMode ?? OPTIONS.checkpointMode.default,
    );
  }

  /** The name of the task's vertex (its chain's operators). */
  get vertexName(): string {
    return this.vertex.name;
  }

  /** Runs the task to its end; throws a TaskFailure-carrying error on failure. */
  async run(): Promise<TaskMetrics> {
    const timeoutMs = this.descriptor.network.bufferTimeoutMs;
    const flusher = timeoutMs > 0 ? setInterval(() => this.flushAll(), timeoutMs) : undefined;
    try {
      const restore = this.descriptor.restore;
      // An object store's client loads now, before records flow, not at the first checkpoint.
      const dir = this.descriptor.checkpointDir;
      if (dir !== undefined && isS3Location(dir)) await fileSystemFor(dir);
      const restored = restore ? await restoreChainState(this.chain, restore) : undefined;
      await this.chain.open();
      if (this.chain.source !== undefined) await this.runSource(restored?.sources);
      else await this.runInputs(restored?.inFlight ?? []);
      this.checkCancelled();
      // Batch mode: processing time jumps to the end of time with the input,
      // so the timers still pending fire now (Flink's BATCH mode does the same;
      // in streaming mode they are dropped with the finished task, as in Flink).
      if (this.batch) this.processingTime.fireAllPending();
      // Stopped without drain: the input did not end, the job was suspended (Flink's NO_DRAIN).
      if (!this.suspended) this.chain.endInput();
      // Commits still running for completed checkpoints finish before the operators close.
      await this.notifying;
      this.checkCancelled();
      await this.chain.close();
      await this.awaitOutputs();
      for (const w of this.writers.values()) w.end(this.suspended);
      await Promise.all([...this.writers.values()].map((w) => w.drained()));
      return this.currentMetrics();
    } finally {
      this.processingTime.close();
      this.chain.dispose();
      clearInterval(flusher);
      this.gate?.close();
    }
  }

  /** Source tasks: take checkpoint `barrier.id` at the next turn. */
  triggerCheckpoint(barrier: BarrierInfo): void {
    this.checkpoints.trigger(barrier);
    this.wakeSource?.();
  }

  /** Checkpoint `checkpointId` completed: operators commit (between two records). */
  notifyCheckpointComplete(checkpointId: number): void {
    if (checkpointId <= this.completedCheckpoint) return;
    this.completedCheckpoint = checkpointId;
    // One after the other: an operator's commit for a checkpoint must not overlap the next one's.
    this.notifying = this.notifying.then(() => this.chain.notifyCheckpointComplete(checkpointId))
      .catch((e) => {
        this.asyncError ??= e instanceof Error ? e : new Error(String(e));
        this.cancel();
      }).finally(() => this.wakeSource?.());
  }

  /** The JobMaster's answer to this source's watermark report for `group`. */
  alignWatermark(group: string, maxWatermark: number): void {
    this.alignment?.update(group, maxWatermark);
    this.wakeSource?.();
  }

  /** Stops the loop at its next turn. */
  cancel(): void {
    this.cancelled = true;
    this.availability.wake();
    this.gate?.wake();
    this.wakeSource?.();
  }

  /** Describes a failure of this task for the client. */
  failure(e: unknown): TaskFailure {
    const error = e instanceof Error ? e : new Error(String(e));
    const head = this.vertex.nodeIds.length > 0 ? this.chain.head.name : this.vertex.name;
    return {
      operatorName: errorOperator(error) ?? head,
      vertexName: this.vertex.name,
      subtaskIndex: this.descriptor.subtaskIndex,
      message: error.message,
      stack: error.stack,
    };
  }

  private async runSource(restoredStates: unknown[] | undefined): Promise<void> {
    const source = this.chain.source!;
    const node = this.chain.sourceNode!;
    const counted = this.countingOutput();
    try {
      await source.open({
        operatorName: node.name,
        subtaskIndex: this.descriptor.subtaskIndex,
        parallelism: node.parallelism,
        checkpointing: (this.descriptor.checkpointIntervalMs ?? 0) > 0,
        ingest: this.ingest,
      });
      if (restoredStates !== undefined) {
        if (source.restoreState === undefined) {
          throw new Error(`source '${node.name}' has checkpointed state but cannot restore it`);
        }
        source.restoreState(restoredStates);
      }
      const batch = new SourceBatchSize(
        SOURCE_BATCH_RECORDS,
        this.descriptor.network.taskSliceMs,
      );
      let stopAt: number | undefined, stopMode: StopMode | undefined;
      const readGate = this.sourceReadGate();
      let sourceIdle = false;
      this.alignment?.start(this.processingTime);
      for (;;) {
        this.checkCancelled();
        // Drain: event time ends before the savepoint, so its state holds the fired windows.
        const stop = this.checkpoints.pendingStop;
        if (stop === "drain") this.chain.headOutput.emitWatermark(MAX_WATERMARK);
        const taken = await this.checkpoints.checkpointSourceIfTriggered();
        if (stop !== undefined && taken !== undefined) {
          stopAt = taken;
          stopMode = stop;
          break;
        }
        this.processingTime.fireDue();
        if (!this.availability.available) {
          await this.awaitOutputs();
          continue;
        }
        if (this.alignment?.paused) {
          // Ahead of its alignment group: a timer, a checkpoint or the next answer wakes it.
          await new Promise<void>((resolve) => this.wakeSource = resolve);
          this.wakeSource = undefined;
          continue;
        }
        this.timestamp.value = NO_TIMESTAMP;
        const before = this.recordsIn, start = performance.now();
        const more = await source.pollNext(counted, readGate, batch.records);
        batch.update(this.recordsIn - before, performance.now() - start);
        if (!more) break;
        const idle = source.isIdle?.() === true;
        if (idle !== sourceIdle) this.chain.headOutput.emitWatermarkStatus(sourceIdle = idle);
        await yieldToEventLoop();
      }
      this.alignment?.finish();
      if (stopAt !== undefined) {
        // Stopped with a savepoint: it is the final checkpoint; event time stays (or was drained).
        this.suspended = stopMode === "suspend";
        await this.awaitCheckpointCompleted(stopAt);
      } else {
        // End of input: event time is complete (windows and timers up to it fire).
        this.chain.headOutput.emitWatermark(MAX_WATERMARK);
        if ((this.descriptor.checkpointIntervalMs ?? 0) > 0) {
          await this.awaitFinalCheckpoint();
        }
      }
      await source.close();
    } catch (e) {
      throw e instanceof TaskCancelledError ? e : tagError(e, node.name);
    }
  }

  /**
   * A source at its end waits for one more checkpoint to complete before it
   * ends its partitions, so every record it sent is covered by a completed
   * checkpoint (two-phase commit sinks commit all of it) and a restore after
   * this point does not replay it (after Flink's final checkpoint, FLIP-147).
   */
  private async awaitFinalCheckpoint(): Promise<void> {
    let finalId: number | undefined;
    for (;;) {
      this.checkCancelled();
      const taken = await this.checkpoints.checkpointSourceIfTriggered();
      finalId ??= taken;
      if (finalId !== undefined && this.completedCheckpoint >= finalId) return;
      // A trigger (or a cancel) can come while the await above resumes: port
      // messages are dispatched from promise continuations too, and its wake-up
      // found no waiter. Check again in the same turn that sets the waiter.
      if (this.checkpoints.triggered || this.cancelled) continue;
      await new Promise<void>((resolve) => this.wakeSource = resolve);
      this.wakeSource = undefined;
    }
  }

  /**
   * A source stopped by a savepoint waits for it to complete (its sinks
   * commit), polling nothing more; a failed stop fails the job over (the
   * JobMaster cancels this task).
   */
  private async awaitCheckpointCompleted(checkpointId: number): Promise<void> {
    for (;;) {
      this.checkCancelled();
      if (this.completedCheckpoint >= checkpointId) return;
      // A checkpoint triggered before the stop reached the coordinator is still taken.
      await this.checkpoints.checkpointSourceIfTriggered();
      if (this.checkpoints.triggered || this.cancelled) continue;
      await new Promise<void>((resolve) => this.wakeSource = resolve);
      this.wakeSource = undefined;
    }
  }

  /** The alignment of a source task's aligned steps; an aligned step without a source fails. */
  private sourceAlignment(send: (r: AlignmentReport) => void): SourceAlignment | undefined {
    const steps = alignedSteps(this.chain.operators);
    if (steps.length === 0) return undefined;
    if (this.chain.source === undefined) {
      throw new Error(
        `'${steps[0].name}': withWatermarkAlignment needs the watermark strategy in a source's ` +
          "chain (it pauses the source): give it to fromSource(source, strategy), or call " +
          "assignTimestampsAndWatermarks before any keyBy, rebalance or parallelism change",
      );
    }
    const source = { vertexId: this.vertex.id, parallelism: this.chain.sourceNode!.parallelism };
    return new SourceAlignment(steps.map((s) => s.step), source, send);
  }

  /** Where the source may read on: room at the outputs, and within its alignment group. */
  private sourceReadGate(): { readonly available: boolean } {
    const alignment = this.alignment, outputs = this.availability;
    if (alignment === undefined) return outputs;
    return {
      get available() {
        return outputs.available && !alignment.paused;
      },
    };
  }

  private countingOutput() {
    const out = this.chain.headOutput;
    return {
      collect: (record: unknown) => {
        this.recordsIn++;
        out.collect(record);
      },
    };
  }

  private async runInputs(inFlight: InFlightBuffer[]): Promise<void> {
    const gate = this.gate!;
    const decoder = new RecordBatchDecoder();
    const heads = this.chain.headInputs;
    const inputOf = this.network.inputOfChannel;
    const watermarks = new InputWatermarks(inputOf, heads);
    this.inputWatermarks = watermarks;
    const timestamp = this.timestamp;
    const processBuffer = (channel: number, data: ArrayBuffer | Uint8Array | RecordArray) => {
      let records: unknown[], ts: Float64Array | undefined;
      if (data instanceof ArrayBuffer || data instanceof Uint8Array) {
        records = decoder.decode(data);
        ts = decoder.timestamps;
      } else {
        records = data.values;
        ts = data.timestamps;
      }
      const head = heads[inputOf[channel]];
      this.recordsIn += records.length;
      if (ts === undefined) {
        timestamp.value = NO_TIMESTAMP;
        for (let i = 0; i < records.length; i++) head.collect(records[i]);
      } else {
        for (let i = 0; i < records.length; i++) {
          timestamp.value = ts[i];
          head.collect(records[i]);
        }
      }
    };
    // Input that was in flight at an unaligned checkpoint comes first.
    for (const b of inFlight) processBuffer(b.channel, b.data);
    const checkpoints = this.checkpoints;
    const watch = checkpoints.watchesBuffers;
    // A costly chain could drain every queued buffer (credits x buffer size) in one
    // turn: past the slice, the loop yields between two buffers (one clock read each).
    const sliceMs = this.descriptor.network.taskSliceMs;
    let turnEnds = performance.now() + sliceMs;
    gate.start();
    for (;;) {
      this.checkCancelled();
      this.processingTime.fireDue();
      if (!this.availability.available) {
        await this.awaitOutputs();
        continue;
      }
      if (gate.error !== undefined) throw gate.error;
      const item = gate.poll();
      if (item === undefined) {
        if (gate.finished) return;
        await gate.whenAvailable();
        continue;
      }
      if (item.kind === "event") {
        const e = item.event;
        if (e.t === "watermark") watermarks.watermark(item.channel, e.ts);
        else if (e.t === "status") watermarks.status(item.channel, e.idle);
        else {
          if (e.t === "end") {
            watermarks.ended(item.channel, e.suspend);
            if (e.suspend) this.suspended = true;
          }
          await this.checkpoints.onEvent(item);
        }
        continue;
      }
      if (watch) checkpoints.onBuffer(item);
      processBuffer(item.channel, item.data);
      gate.release(item);
      if (performance.now() >= turnEnds) {
        await yieldToEventLoop();
        turnEnds = performance.now() + sliceMs;
      }
    }
  }

  /** Waits while the outputs are backpressured, and accounts the time. */
  private async awaitOutputs(): Promise<void> {
    const start = performance.now();
    await this.availability.whenAvailable();
    this.backpressuredMs += performance.now() - start;
  }

  private flushAll(): void {
    try {
      this.chain.flush();
      for (const w of this.writers.values()) w.flush();
    } catch (e) {
      // From a timer: fail the task at its next turn, not the worker with an uncaught error.
      this.asyncError ??= e instanceof Error ? e : new Error(String(e));
      this.cancel();
    }
  }

  private checkCancelled(): void {
    if (this.asyncError !== undefined) throw this.asyncError;
    if (this.cancelled) throw new TaskCancelledError(`task ${this.descriptor.taskId} cancelled`);
  }

  /** The task's counters so far, and its current watermark. */
  currentMetrics(): TaskMetrics {
    const metrics: TaskMetrics = {
      recordsIn: this.recordsIn,
      ...networkMetrics(this.network),
      backpressuredMs: Math.round(this.backpressuredMs),
    };
    const watermark = this.currentWatermark();
    if (Number.isFinite(watermark)) metrics.watermarkMs = watermark;
    return metrics;
  }

  /** The lowest watermark of the inputs; a source task's: the highest it sent downstream. */
  private currentWatermark(): number {
    if (this.inputWatermarks !== undefined) return this.inputWatermarks.current;
    let w = Number.NEGATIVE_INFINITY;
    for (const writer of this.writers.values()) w = Math.max(w, writer.lastWatermark);
    return w;
  }
}
