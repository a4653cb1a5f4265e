/**
 * ResourceManager: knows every registered worker and its slots (the
 * SlotManager), grants slots to jobs, and keeps one heartbeat per worker. A
 * worker that misses heartbeats or whose connection drops is lost: its slots
 * disappear and the dispatcher hears of it.
 * @module
 */

import { METRICS_PATH } from "../protocol/metrics_route.ts";
import {
  Actor,
  type ActorRef,
  DeferredReply,
  FencingTokenError,
  replyError,
} from "../rpc/actor.ts";
import { checkFields, checkMessage, InvalidMessageError } from "../rpc/message_schema.ts";
import type { DispatcherMessage } from "../protocol/dispatcher.ts";
import {
  type RegistrationReply,
  RESOURCE_MANAGER_SCHEMA,
  type ResourceManagerMessage,
  type SlotGrant,
  WORKER_REGISTRATION_FIELDS,
  type WorkerRegistration,
} from "../protocol/resource_manager.ts";
import type { ClusterOverview } from "../protocol/rest.ts";
import { fencedTaskExecutor, type TaskExecutorMessage } from "../protocol/task_executor.ts";
import { NotEnoughSlotsError } from "./slot_assignment.ts";
import { OPTIONS } from "../../core/config/options.ts";

/** How often the master sends heartbeats, and how long a silent worker lives on. */
export interface HeartbeatSettings {
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
}

/** The heartbeat settings when none are given. */
export const DEFAULT_HEARTBEAT_SETTINGS: HeartbeatSettings = {
  heartbeatIntervalMs: OPTIONS.heartbeatIntervalMs.default,
  heartbeatTimeoutMs: OPTIONS.heartbeatTimeoutMs.default,
};

interface WorkerEntry {
  readonly reg: WorkerRegistration;
  /** What JobMasters get in their grants: with HA, a ref that stamps this leader's term. */
  readonly commands: ActorRef<TaskExecutorMessage>;
  /** slot index -> job id of the job holding it. */
  readonly allocated: Map<number, string>;
  lastHeartbeatMs: number;
  /** Whether peers can dial it: false with `--no-inbound` or when the master's probe failed. */
  inbound: boolean;
  /** Its data address is being probed: its slots are offered once the probe answers. */
  probing: boolean;
}

/**
 * Whether a worker's data address takes connections from the master (the
 * master's `startMaster` dials it once at registration; see `tcpProbe`).
 */
export type DataAddressProbe = (dataAddress: string) => Promise<boolean>;

interface PendingRequest {
  readonly jobId: string;
  readonly count: number;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  resolve(grants: SlotGrant[]): void;
  reject(e: Error): void;
}

/** The master's registry of workers and their slots. */
export class ResourceManager extends Actor<ResourceManagerMessage> {
  /** Fencing token of this master's leadership: new on every start. */
  readonly fence = crypto.randomUUID();
  private readonly workers = new Map<string, WorkerEntry>();
  private pending: PendingRequest[] = [];
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly dispatcher: () => ActorRef<DispatcherMessage>,
    private readonly settings: HeartbeatSettings = DEFAULT_HEARTBEAT_SETTINGS,
    /** This master's leader term with HA (workers refuse older terms); absent without. */
    private readonly term?: number,
    /** Checks each registering worker's data address; absent: every worker is taken at its word. */
    private readonly probe?: DataAddressProbe,
  ) {
    super();
  }

  override preStart(): void {
    const self = this.context.self;
    this.ticker = setInterval(() => self.tell({ type: "tick" }), this.settings.heartbeatIntervalMs);
  }

  override postStop(): void {
    clearInterval(this.ticker);
    for (const p of this.pending) p.reject(new Error("resource manager stopped"));
  }

  receive(m: ResourceManagerMessage): unknown {
    const invalid = checkMessage(RESOURCE_MANAGER_SCHEMA, m) ??
      (m.type === "registerWorker"
        ? checkFields(WORKER_REGISTRATION_FIELDS, m.worker, "message 'worker'")
        : undefined);
    if (invalid !== undefined) return replyError(new InvalidMessageError(invalid));
    switch (m.type) {
      case "registerWorker":
        return this.register(m.worker);
      case "heartbeatReply":
        return this.heartbeatReply(m.workerId, m.fence);
      case "workerDisconnected":
        return this.lose(m.workerId, m.reason);
      case "peerDisconnected":
        for (const w of [...this.workers.values()]) {
          if (w.reg.taskExecutor.systemId === m.systemId) this.lose(w.reg.workerId, m.reason);
        }
        return;
      case "allocateSlots":
        return this.allocate(m.jobId, m.count, m.timeoutMs);
      case "releaseSlots":
        return this.release(m.jobId);
      case "overview":
        return this.overview();
      case "tick":
        return this.tick();
      case "workerProbed":
        return this.probed(m.workerId, m.reachable);
    }
  }

  private register(reg: WorkerRegistration): RegistrationReply {
    const old = this.workers.get(reg.workerId);
    if (old !== undefined) this.lose(reg.workerId, "re-registered");
    const commands = this.term === undefined
      ? reg.taskExecutor
      : fencedTaskExecutor(reg.taskExecutor, this.term);
    const inbound = reg.inbound !== false;
    const probing = inbound && reg.dataAddress !== "" && this.probe !== undefined;
    this.workers.set(reg.workerId, {
      reg,
      commands,
      allocated: new Map(),
      lastHeartbeatMs: Date.now(),
      inbound,
      probing,
    });
    if (probing) {
      const self = this.context.self;
      this.probe!(reg.dataAddress).then(
        (reachable) => self.tell({ type: "workerProbed", workerId: reg.workerId, reachable }),
        () => self.tell({ type: "workerProbed", workerId: reg.workerId, reachable: false }),
      );
    }
    this.context.system.info(
      `worker ${reg.name} (${reg.workerId}) registered with ${reg.slots} slots`,
    );
    this.servePending();
    return { fence: this.fence, ...this.settings, ...this.termField() };
  }

  /** The probe of a worker's data address answered: its slots are offered now. */
  private probed(workerId: string, reachable: boolean): void {
    const w = this.workers.get(workerId);
    if (w === undefined || !w.probing) return;
    w.probing = false;
    if (!reachable) {
      w.inbound = false;
      this.context.system.log(
        `worker ${w.reg.name} (${workerId}): its data address ${w.reg.dataAddress} takes no ` +
          "connection from the master; it is treated as --no-inbound (peers wait for its dials)",
      );
    }
    this.servePending();
  }

  private termField(): { term?: number } {
    return this.term === undefined ? {} : { term: this.term };
  }

  private heartbeatReply(workerId: string, fence: string | undefined): void {
    if (fence !== this.fence) {
      throw new FencingTokenError(`heartbeat from ${workerId} with a stale fencing token`);
    }
    const w = this.workers.get(workerId);
    if (w !== undefined) w.lastHeartbeatMs = Date.now();
  }

  private lose(workerId: string, reason: string): void {
    const w = this.workers.get(workerId);
    if (w === undefined) return;
    this.workers.delete(workerId);
    this.context.system.log(`worker ${w.reg.name} (${workerId}) lost: ${reason}`);
    this.dispatcher().tell({ type: "workerLost", workerId });
  }

  private freeSlots(): number {
    let free = 0;
    for (const w of this.workers.values()) {
      if (!w.probing) free += w.reg.slots - w.allocated.size;
    }
    return free;
  }

  private allocate(jobId: string, count: number, timeoutMs: number): unknown {
    const grants = this.tryGrant(jobId, count);
    if (grants !== undefined) return grants;
    return new DeferredReply(
      new Promise<SlotGrant[]>((resolve, reject) => {
        this.pending.push({
          jobId,
          count,
          timeoutMs,
          deadlineMs: Date.now() + timeoutMs,
          resolve,
          reject,
        });
      }),
    );
  }

  /** Grants `count` free slots, filling workers in registration order. */
  private tryGrant(jobId: string, count: number): SlotGrant[] | undefined {
    if (this.freeSlots() < count) return undefined;
    const grants: SlotGrant[] = [];
    const relayAddress = this.relayAddress();
    for (const w of this.workers.values()) {
      if (w.probing) continue;
      for (let i = 0; i < w.reg.slots && grants.length < count; i++) {
        if (w.allocated.has(i)) continue;
        w.allocated.set(i, jobId);
        grants.push({
          workerId: w.reg.workerId,
          slotIndex: i,
          processId: w.reg.processId,
          dataAddress: w.reg.dataAddress,
          managedMemoryBytes: Math.floor(w.reg.managedMemoryBytes / w.reg.slots),
          taskExecutor: w.commands,
          ...(w.inbound ? {} : { inbound: false, relayAddress }),
        });
      }
    }
    return grants;
  }

  /**
   * Where unreachable workers meet: the first reachable `--relay` worker's
   * data address, else "" (the master each worker registered with).
   */
  private relayAddress(): string {
    for (const w of this.workers.values()) {
      if (w.reg.relay === true && w.inbound && !w.probing) return w.reg.dataAddress;
    }
    return "";
  }

  private servePending(): void {
    const still: PendingRequest[] = [];
    for (const p of this.pending) {
      const grants = this.tryGrant(p.jobId, p.count);
      if (grants !== undefined) p.resolve(grants);
      else still.push(p);
    }
    this.pending = still;
  }

  private release(jobId: string): void {
    for (const w of this.workers.values()) {
      for (const [slot, job] of w.allocated) if (job === jobId) w.allocated.delete(slot);
    }
    this.servePending();
  }

  private tick(): void {
    const now = Date.now();
    for (const w of [...this.workers.values()]) {
      if (now - w.lastHeartbeatMs > this.settings.heartbeatTimeoutMs) {
        this.lose(w.reg.workerId, `no heartbeat for ${now - w.lastHeartbeatMs} ms`);
      } else {
        w.reg.taskExecutor.tell({ type: "heartbeat", fence: this.fence, ...this.termField() });
      }
    }
    const expired = this.pending.filter((p) => now >= p.deadlineMs);
    this.pending = this.pending.filter((p) => now < p.deadlineMs);
    for (const p of expired) {
      p.reject(
        new NotEnoughSlotsError(
          `job ${p.jobId} needs ${p.count} slots, cluster has ${this.freeSlots()} free ` +
            `after waiting ${p.timeoutMs} ms; start more workers or lower the parallelism`,
        ),
      );
    }
  }

  private overview(): ClusterOverview {
    const workers = [...this.workers.values()].map((w) => ({
      id: w.reg.workerId,
      name: w.reg.name,
      dataAddress: w.reg.dataAddress,
      metricsUrl: `${w.reg.dataAddress}${METRICS_PATH}`,
      slotsTotal: w.reg.slots,
      slotsFree: w.reg.slots - w.allocated.size,
      managedMemoryBytes: w.reg.managedMemoryBytes,
      lastHeartbeatMs: w.lastHeartbeatMs,
    }));
    return {
      workers,
      slotsTotal: workers.reduce((s, w) => s + w.slotsTotal, 0),
      slotsFree: this.freeSlots(),
    };
  }
}
