/**
 * The Web Workers a worker's slots run in. A slot is the unit of scheduling
 * and of managed memory; a Web Worker (a thread with a V8 isolate of its
 * own, ~28 MB before any data and a young generation of up to 32 MB once
 * busy) is the unit of parallel execution. With `threads` below the slot
 * count, slots share Web Workers: slot i goes to thread group i % threads,
 * and joins the group's Web Worker of the same attempt of the same job (a Web
 * Worker's permissions are one job's; a task its sandbox does not cover is
 * refused). Tasks in one Web Worker take turns (each yields after a time
 * slice), so a job at parallelism 4 on 2 cores runs on 2 isolates instead
 * of 4.
 * @module
 */

import { coversNeeds, type RuntimeNeeds, type SlotSandbox } from "./slot_sandbox.ts";
import type { SlotCommand, SlotCrashed, SlotReport } from "./slot_protocol.ts";

const SLOT_WORKER_URL = new URL("./slot_worker.ts", import.meta.url);

/** One Web Worker and the slots it serves (all of one attempt of one job). */
export interface SlotHost {
  readonly worker: Worker;
  /**
   * Commands go over a MessagePort, not `worker.postMessage`: a slot busy with
   * its tasks' port traffic was seen to take parent messages late or never.
   */
  readonly control: MessagePort;
  readonly jobId: string;
  /** The job's attempt it runs: a sandboxed Web Worker imports one attempt's module only. */
  readonly attempt: number;
  /** The sandbox it was created with (undefined: the process's permissions). */
  readonly sandbox: SlotSandbox | undefined;
  /** Its thread group: the slots it may serve are those with this index % threads. */
  readonly group: number;
  readonly slots: Set<number>;
}

/** What a slot's Web Worker is made with, besides its job and attempt. */
export interface HostSandbox {
  readonly sandbox: SlotSandbox;
  /** What this task needs of the sandbox (a later task must be covered by an existing one). */
  readonly needs: RuntimeNeeds;
}

export interface SlotHostsOptions {
  readonly slots: number;
  /** Web Workers the slots share at most (per job attempt); >= slots: one per slot. */
  readonly threads: number;
  /** The worker's name: Web Workers are named after it and their first slot. */
  readonly name: string;
  /** The first command a new Web Worker gets (its control port, settings and possible slots). */
  readonly controlCommand: (
    port: MessagePort,
    sandbox: SlotSandbox | undefined,
    slots: number[],
  ) => SlotCommand;
  /** A report of a live host's Web Worker, or its crash. */
  readonly onReport: (host: SlotHost, report: SlotReport | SlotCrashed) => void;
  /** Slot `index` was freed (before its Web Worker stops, if it was the last slot). */
  readonly onFree?: (index: number) => void;
}

/** The Web Workers of a worker's slots. */
export class SlotHosts {
  private readonly bySlot: (SlotHost | undefined)[];
  private readonly live = new Set<SlotHost>();

  constructor(private readonly o: SlotHostsOptions) {
    this.bySlot = Array.from({ length: o.slots }, () => undefined);
  }

  /**
   * Whether slots `a` and `b` run in one Web Worker when they serve one job
   * attempt: the same thread group, with fewer threads than slots. `acquire`
   * keeps that promise (or refuses the task), so channels between them may be
   * in-thread.
   */
  sharesThread(a: number, b: number): boolean {
    return this.sharing && a % this.o.threads === b % this.o.threads;
  }

  /** Whether slots share Web Workers at all (fewer threads than slots). */
  private get sharing(): boolean {
    return this.o.threads < this.o.slots;
  }

  /** The Web Worker serving slot `index`, if any. */
  host(index: number): SlotHost | undefined {
    return this.bySlot[index];
  }

  /**
   * The control port for a task of `jobId`'s `attempt` in slot `index`:
   * the slot's Web Worker, one of its thread group to share, or a new one; a
   * message when the slot's Web Worker cannot take the task.
   */
  acquire(
    index: number,
    jobId: string,
    attempt: number,
    sandboxed: HostSandbox | undefined,
  ): MessagePort | string {
    let host = this.bySlot[index];
    // A Web Worker serves one attempt of one job: its permissions are that job's.
    if (host !== undefined && (host.jobId !== jobId || host.attempt !== attempt)) {
      this.free(index);
      host = undefined;
    }
    // Its channels to its thread group's slots are in-thread: it must run in the group's Web Worker.
    host ??= this.groupHost(index, jobId, attempt);
    if (host !== undefined && sandboxed !== undefined && !fits(host, sandboxed)) {
      const which = this.sharing
        ? `the Web Worker that slot ${index} shares (--slot-threads)`
        : `slot ${index}'s Web Worker`;
      return `the sandbox of ${which}, made for the job's first task there, does not cover the ` +
        `state this task restores or the data hosts it reaches (${
          [...sandboxed.needs.read, ...sandboxed.needs.net].join(", ")
        })`;
    }
    host ??= this.start(index, jobId, attempt, sandboxed?.sandbox);
    host.slots.add(index);
    this.bySlot[index] = host;
    return host.control;
  }

  /**
   * Frees slot `index`. Its Web Worker stops once it serves no slot: with a
   * grace period it is first asked to cancel its tasks (commands it got
   * before, such as a checkpoint completion a sink must commit, are
   * processed in order) and is terminated when the period ends.
   */
  free(index: number, graceMs = 0): void {
    const host = this.bySlot[index];
    if (host === undefined) return;
    this.o.onFree?.(index);
    this.bySlot[index] = undefined;
    host.slots.delete(index);
    if (host.slots.size > 0) return;
    this.live.delete(host);
    const stop = () => {
      host.worker.terminate();
      host.control.close();
    };
    if (graceMs > 0) {
      host.control.postMessage({ type: "cancel" } satisfies SlotCommand);
      setTimeout(stop, graceMs);
    } else stop();
  }

  /** Frees every slot at once. */
  freeAll(): void {
    for (let i = 0; i < this.bySlot.length; i++) this.free(i);
  }

  /** The live Web Worker of slot `index`'s thread group serving this job attempt, if any. */
  private groupHost(index: number, jobId: string, attempt: number): SlotHost | undefined {
    if (!this.sharing) return undefined;
    const group = index % this.o.threads;
    for (const host of this.live) {
      if (host.group === group && host.jobId === jobId && host.attempt === attempt) return host;
    }
    return undefined;
  }

  private start(
    index: number,
    jobId: string,
    attempt: number,
    sandbox: SlotSandbox | undefined,
  ): SlotHost {
    const worker = new Worker(SLOT_WORKER_URL, {
      type: "module",
      name: `${this.o.name}-slot-${index}`,
      ...(sandbox === undefined ? {} : { deno: { permissions: sandbox.permissions } }),
    });
    const { port1, port2 } = new MessageChannel();
    const host: SlotHost = {
      worker,
      control: port1,
      jobId,
      attempt,
      sandbox,
      group: index % this.o.threads,
      slots: new Set(),
    };
    this.live.add(host);
    // A replaced Web Worker (its job was cancelled or restarted) may still report during
    // its grace period; its task ids are those of the old attempt, so its reports are dropped.
    worker.onmessage = (e: MessageEvent<SlotReport>) => {
      if (this.live.has(host)) this.o.onReport(host, e.data);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      if (this.live.has(host)) this.o.onReport(host, { type: "slotCrashed", message: e.message });
    };
    // The slots it may serve: its own alone, or its thread group's.
    const slots = Array.from({ length: this.o.slots }, (_, i) => i)
      .filter((i) => i === index || this.sharesThread(i, index));
    worker.postMessage(this.o.controlCommand(port2, sandbox, slots), [port2]);
    return host;
  }
}

/** Whether `host`'s sandbox covers what a task in `sandboxed` needs. */
function fits(host: SlotHost, sandboxed: HostSandbox): boolean {
  return host.sandbox !== undefined && coversNeeds(host.sandbox, sandboxed.needs);
}

/**
 * The Web Workers of `slots` slots unless `--slot-threads` says otherwise: one
 * per slot, but no more than the machine has cores. A thread beyond the cores
 * adds no throughput, only a V8 isolate's memory (measured: parallelism 4 of
 * the out-of-order windows job on 2 cores took 2.15x the memory of
 * parallelism 1 on 4 Web Workers, 1.54x on 2, in the same time).
 */
export function defaultSlotThreads(slots: number): number {
  const cores = navigator.hardwareConcurrency;
  return cores > 0 ? Math.min(slots, cores) : slots;
}
