/**
 * The embedded mini-cluster: runs a job in this process, each slot a Web
 * Worker, exchanges over MessagePorts. It plays the JobMaster for one job at a
 * time: assigns slots, deploys tasks, follows their states, collects results.
 * @module
 */

import {
  type CollectListener,
  JobExecutionError,
  type JobExecutionResult,
  type JobExecutor,
  type JobPlan,
  type VertexMetrics,
} from "../../core/datastream/execution_context.ts";
import { consumersOf } from "../../core/graph/partitioners.ts";
import { assignSlots } from "../master/slot_assignment.ts";
import { DEFAULT_NETWORK_SETTINGS, type NetworkSettings } from "../worker/network/channel.ts";
import type {
  SlotCommand,
  SlotReport,
  TaskDescriptor,
  TaskMetrics,
} from "../worker/task_descriptor.ts";

/** A job state change, for progress output. */
export interface JobStatusEvent {
  readonly jobId: string;
  readonly jobName: string;
  readonly state: "CREATED" | "RUNNING" | "FINISHED" | "FAILED";
  readonly timestampMs: number;
}

export interface LocalExecutorOptions {
  /** Slots of the mini-cluster; default: as many as the job needs. */
  readonly slots?: number;
  /** Overrides of the network limits. */
  readonly network?: Partial<NetworkSettings>;
  readonly onStatus?: (e: JobStatusEvent) => void;
}

const SLOT_WORKER_URL = new URL("../worker/slot_worker.ts", import.meta.url);

/**
 * Runs jobs on an in-process cluster.
 *
 * @example
 * ```ts
 * import { LocalExecutor } from "./local_executor.ts";
 * const executor = new LocalExecutor({ slots: 2 });
 * // executor.execute(plan) runs a plan built by StreamExecutionEnvironment.
 * ```
 */
export class LocalExecutor implements JobExecutor {
  constructor(private readonly options: LocalExecutorOptions = {}) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const run = new LocalJobRun(plan, this.options, onCollect);
    return await run.start();
  }
}

class LocalJobRun {
  private readonly jobId = crypto.randomUUID().replaceAll("-", "");
  private readonly workers = new Map<number, Worker>();
  private readonly metrics = new Map<string, TaskMetrics>();
  private readonly startMs = Date.now();
  private remaining = 0;
  private slotCount = 0;
  private settle!: { resolve: (r: JobExecutionResult) => void; reject: (e: Error) => void };
  private done = false;

  constructor(
    private readonly plan: JobPlan,
    private readonly options: LocalExecutorOptions,
    private readonly onCollect?: CollectListener,
  ) {}

  start(): Promise<JobExecutionResult> {
    const { jobGraph } = this.plan;
    this.status("CREATED");
    const slots = assignSlots(jobGraph, this.options.slots ?? Infinity);
    this.slotCount = new Set(slots.values()).size;
    const descriptors = this.descriptors();
    this.remaining = descriptors.length;
    const promise = new Promise<JobExecutionResult>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    for (const d of descriptors) {
      const slot = slots.get(`${d.vertexId}/${d.subtaskIndex}`)!;
      const ports = [...d.inputs, ...d.outputs].flatMap((x) => x.ports);
      const command: SlotCommand = { type: "deploy", task: d };
      this.worker(slot).postMessage(command, ports);
    }
    this.status("RUNNING");
    return promise;
  }

  private worker(slot: number): Worker {
    let w = this.workers.get(slot);
    if (w === undefined) {
      w = new Worker(SLOT_WORKER_URL, { type: "module", name: `slot-${slot}` });
      w.onmessage = (e: MessageEvent<SlotReport>) => this.onReport(e.data);
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        this.fail({
          operatorName: `slot ${slot}`,
          vertexName: `slot ${slot}`,
          subtaskIndex: -1,
          message: `slot worker crashed: ${e.message}`,
        });
      };
      this.workers.set(slot, w);
    }
    return w;
  }

  /** One descriptor per subtask, with a MessageChannel per producer/consumer pair. */
  private descriptors(): TaskDescriptor[] {
    const { jobGraph } = this.plan;
    const network = { ...DEFAULT_NETWORK_SETTINGS, ...this.options.network };
    network.bufferTimeoutMs = this.plan.streamGraph.settings.bufferTimeoutMs;
    const job = {
      jobId: this.jobId,
      jobModuleUrl: this.plan.jobModuleUrl,
      args: this.plan.args,
      defaults: this.plan.defaults,
      fingerprint: this.plan.fingerprint,
    };
    const byKey = new Map<string, TaskDescriptor>();
    for (const v of jobGraph.vertices) {
      for (let i = 0; i < v.parallelism; i++) {
        byKey.set(`${v.id}/${i}`, {
          taskId: `${this.jobId}-${v.id}-${i}`,
          job,
          vertexId: v.id,
          subtaskIndex: i,
          inputs: v.inputs.map((e) => ({ edgeId: e.id, ports: [] })),
          outputs: v.outputs.map((e) => ({ edgeId: e.id, ports: [] })),
          network,
        });
      }
    }
    for (const e of jobGraph.edges) {
      const p = jobGraph.vertices.find((v) => v.id === e.sourceVertex)!.parallelism;
      const q = jobGraph.vertices.find((v) => v.id === e.targetVertex)!.parallelism;
      for (let i = 0; i < p; i++) {
        const producer = byKey.get(`${e.sourceVertex}/${i}`)!;
        for (const j of consumersOf(e.partitioner, p, q, i)) {
          const consumer = byKey.get(`${e.targetVertex}/${j}`)!;
          const { port1, port2 } = new MessageChannel();
          producer.outputs.find((o) => o.edgeId === e.id)!.ports.push(port1);
          consumer.inputs.find((o) => o.edgeId === e.id)!.ports.push(port2);
        }
      }
    }
    return [...byKey.values()];
  }

  private onReport(r: SlotReport): void {
    if (this.done) return;
    switch (r.type) {
      case "collect":
        this.onCollect?.(r.collectId, r.records);
        return;
      case "running":
        return;
      case "finished":
        this.metrics.set(r.taskId, r.metrics);
        if (--this.remaining === 0) this.finish();
        return;
      case "failed":
        this.fail(r.failure);
        return;
    }
  }

  private finish(): void {
    this.done = true;
    this.shutdown();
    this.status("FINISHED");
    this.settle.resolve({
      jobId: this.jobId,
      jobName: this.plan.jobName,
      state: "FINISHED",
      durationMs: Date.now() - this.startMs,
      slots: this.slotCount,
      vertices: this.vertexMetrics(),
    });
  }

  private fail(failure: JobExecutionError["failure"]): void {
    if (this.done) return;
    this.done = true;
    for (const w of this.workers.values()) w.postMessage({ type: "cancel" } satisfies SlotCommand);
    this.shutdown();
    this.status("FAILED");
    this.settle.reject(new JobExecutionError(this.plan.jobName, failure));
  }

  private shutdown(): void {
    for (const w of this.workers.values()) w.terminate();
    this.workers.clear();
  }

  private vertexMetrics(): VertexMetrics[] {
    return this.plan.jobGraph.vertices.map((v) => {
      const m: VertexMetrics = {
        id: v.id,
        name: v.name,
        parallelism: v.parallelism,
        recordsIn: 0,
        recordsOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        maxInputQueueBuffers: 0,
        maxOutputBacklogBuffers: 0,
        backpressuredMs: 0,
      };
      for (let i = 0; i < v.parallelism; i++) {
        const t = this.metrics.get(`${this.jobId}-${v.id}-${i}`);
        if (t === undefined) continue;
        m.recordsIn += t.recordsIn;
        m.recordsOut += t.recordsOut;
        m.bytesIn += t.bytesIn;
        m.bytesOut += t.bytesOut;
        m.maxInputQueueBuffers = Math.max(m.maxInputQueueBuffers, t.maxInputQueueBuffers);
        m.maxOutputBacklogBuffers = Math.max(m.maxOutputBacklogBuffers, t.maxOutputBacklogBuffers);
        m.backpressuredMs = Math.max(m.backpressuredMs, t.backpressuredMs);
      }
      return m;
    });
  }

  private status(state: JobStatusEvent["state"]): void {
    this.options.onStatus?.({
      jobId: this.jobId,
      jobName: this.plan.jobName,
      state,
      timestampMs: Date.now(),
    });
  }
}
