/**
 * The embedded cluster: a master's actors and N TaskExecutors in this
 * process, talking through local actor refs; slots are still Web Workers and
 * every channel is an in-process MessageChannel. `spate run --local` and
 * `spate local` use it, so local runs take the same path as cluster runs.
 * @module
 */

import type { JobExecutor, JobPlan } from "../../core/graph/job_plan.ts";
import type { JobExecutionResult } from "../../core/graph/job_result.ts";
import type { CollectListener } from "../../core/graph/job_plan.ts";
import { requiredSlots } from "../../core/graph/job_graph.ts";
import { ClusterExecutor, type JobListener } from "../client/cluster_executor.ts";
import type { JobSubmission } from "../protocol/dispatcher.ts";
import { type MasterActors, startMasterActors } from "../master/master_process.ts";
import type { HeartbeatSettings } from "../master/resource_manager.ts";
import { NotEnoughSlotsError } from "../master/slot_assignment.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { moduleCache } from "../worker/module_cache.ts";
import { NetworkEnvironment } from "../worker/network/network_environment.ts";
import { spawnTaskExecutors } from "./local_cluster.ts";
import { OPTIONS } from "../../core/config/options.ts";

export interface MiniClusterOptions {
  readonly workers?: number;
  readonly slotsPerWorker: number;
  /** Web Workers each worker's slots share (default: one per slot, at most one per core; see `slot_hosts.ts`). */
  readonly slotThreads?: number;
  /** Managed memory of each worker, split equally between its slots. */
  readonly managedMemoryBytes?: number;
  readonly heartbeat?: Partial<HeartbeatSettings>;
}

const MIB = 1024 * 1024;

/** A master's actors and N TaskExecutors in this process (Flink's MiniCluster). */
export class MiniCluster {
  readonly system = new ActorSystem("local", { verbose: false });
  readonly network = new NetworkEnvironment();
  readonly master: MasterActors;
  readonly totalSlots: number;

  private constructor(readonly options: MiniClusterOptions) {
    this.master = startMasterActors(this.system, options.heartbeat);
    this.totalSlots = (options.workers ?? 1) * options.slotsPerWorker;
  }

  /** Starts the master actors and registers every worker. */
  static async start(options: MiniClusterOptions): Promise<MiniCluster> {
    const cluster = new MiniCluster(options);
    await spawnTaskExecutors({
      system: cluster.system,
      resourceManager: cluster.master.resourceManager,
      network: cluster.network,
      resolveModule: moduleCache(undefined, ""),
      workers: options.workers ?? 1,
      slotsPerWorker: options.slotsPerWorker,
      slotThreads: options.slotThreads,
      managedMemoryBytes: options.managedMemoryBytes ?? OPTIONS.managedMemoryMb.default * MIB,
    });
    return cluster;
  }

  /** An executor that runs plans here, importing the job module by its URL. */
  executor(
    listener: JobListener = {},
    restartStrategy?: string,
    restoreFrom?: JobSubmission["restoreFrom"],
  ): JobExecutor {
    return new ClusterExecutor({
      ...listener,
      system: this.system,
      dispatcher: this.master.dispatcher,
      moduleSource: (plan) => Promise.resolve({ kind: "url", url: plan.jobModuleUrl }),
      restartStrategy,
      restoreFrom,
      slotTimeoutMs: 0,
    });
  }

  async shutdown(): Promise<void> {
    this.network.close();
    await this.system.shutdown();
  }
}

/** How a LocalExecutor sizes its cluster and runs its jobs. */
export interface LocalExecutorOptions extends JobListener {
  /** Slots of the embedded cluster; default: as many as the job needs. */
  readonly slots?: number;
  /** Web Workers the slots share (default: one per slot, at most one per core; see `slot_hosts.ts`). */
  readonly slotThreads?: number;
  readonly restartStrategy?: string;
  readonly restoreFrom?: JobSubmission["restoreFrom"];
}

/**
 * Runs each job on a fresh embedded cluster sized for it.
 *
 * @example
 * ```ts
 * import { LocalExecutor } from "./mini_cluster.ts";
 * const executor = new LocalExecutor({ slots: 2 });
 * // executor.execute(plan) runs a plan built by StreamExecutionEnvironment.
 * ```
 */
export class LocalExecutor implements JobExecutor {
  constructor(private readonly options: LocalExecutorOptions = {}) {}

  async execute(plan: JobPlan, onCollect?: CollectListener): Promise<JobExecutionResult> {
    const needed = requiredSlots(plan.jobGraph);
    const slots = this.options.slots ?? needed;
    if (slots < needed) {
      throw new NotEnoughSlotsError(
        `job '${plan.jobName}' needs ${needed} slots, cluster has ${slots} free ` +
          `(give more slots, e.g. --slots ${needed}, or lower the parallelism)`,
      );
    }
    const cluster = await MiniCluster.start({
      slotsPerWorker: slots,
      slotThreads: this.options.slotThreads,
    });
    try {
      const { restartStrategy = "none", restoreFrom } = this.options;
      return await cluster.executor(this.options, restartStrategy, restoreFrom).execute(
        plan,
        onCollect,
      );
    } finally {
      await cluster.shutdown();
    }
  }
}
