/**
 * `spate local`: a master that serves REST and RPC on its port, with N
 * TaskExecutors in the same process. Jobs are submitted to it as to any
 * cluster (bundles through the blob store); workers in other processes may
 * join it too.
 * @module
 */

import { type Master, startMaster } from "../master/master_process.ts";
import type { ResourceManagerMessage } from "../protocol/resource_manager.ts";
import { askTaskExecutor } from "../protocol/task_executor.ts";
import type { ActorSystem } from "../rpc/actor_system.ts";
import type { ActorRef } from "../rpc/actor.ts";
import { moduleCache } from "../worker/module_cache.ts";
import { NetworkEnvironment } from "../worker/network/network_environment.ts";
import { TaskExecutor } from "../worker/task_executor.ts";
import { IngestEndpoints } from "../worker/ingest_endpoints.ts";
import type { ServerTls } from "../rpc/tls/tls_material.ts";
import {
  DEFAULT_JOB_PERMISSIONS_MAX,
  type JobPermissions,
  parsePermissionPolicy,
} from "../../core/config/job_permissions.ts";

/** Where the in-process TaskExecutors of a cluster register, and their sizes. */
export interface InProcessWorkers {
  readonly system: ActorSystem;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
  readonly network: NetworkEnvironment;
  /** Resolves a job module source to a URL a slot imports. */
  readonly resolveModule: ReturnType<typeof moduleCache>;
  readonly workers: number;
  readonly slotsPerWorker: number;
  /** Web Workers each worker's slots share (default: one per slot, at most one per core; see `slot_hosts.ts`). */
  readonly slotThreads?: number;
  /** Managed memory of each worker, split equally between its slots. */
  readonly managedMemoryBytes: number;
  /** The most a job's code may be given in a slot (undefined: no cap, the embedded cluster). */
  readonly jobPermissionsMax?: JobPermissions;
  /** Where their ingest readers register (absent: the embedded cluster serves no HTTP). */
  readonly ingest?: IngestEndpoints;
}

/** Spawns `workers` TaskExecutors in `system` and registers each with the ResourceManager. */
export async function spawnTaskExecutors(w: InProcessWorkers): Promise<void> {
  for (let i = 0; i < w.workers; i++) {
    const te = w.system.spawn(`taskexecutor-${i}`, () =>
      new TaskExecutor({
        workerId: `local-${i}`,
        name: `local-worker-${i}`,
        slots: w.slotsPerWorker,
        slotThreads: w.slotThreads,
        managedMemoryBytes: w.managedMemoryBytes,
        network: w.network,
        resolveModule: w.resolveModule,
        jobPermissionsMax: w.jobPermissionsMax,
        ingest: w.ingest,
      }));
    await askTaskExecutor(te, { type: "connect", rm: w.resourceManager });
  }
}

/** How `spate local` sizes and binds its cluster. */
export interface LocalClusterOptions {
  readonly hostname: string;
  readonly port: number;
  readonly workers: number;
  readonly slotsPerWorker: number;
  /** Web Workers each worker's slots share (default: one per slot, at most one per core; see `slot_hosts.ts`). */
  readonly slotThreads?: number;
  readonly managedMemoryBytes: number;
  /** The master's TLS; the in-process workers fetch job bundles with the process's client TLS. */
  readonly tls?: ServerTls;
  /** The most a job may ask for (default: `DEFAULT_JOB_PERMISSIONS_MAX`). */
  readonly jobPermissionsMax?: JobPermissions;
}

/** A serving master with its in-process workers. */
export interface LocalCluster {
  readonly master: Master;
  shutdown(): Promise<void>;
}

/**
 * Starts a master on `hostname:port` and its in-process workers.
 *
 * @example
 * ```ts
 * import { startLocalCluster } from "./local_cluster.ts";
 * const cluster = await startLocalCluster({
 *   hostname: "127.0.0.1", port: 0, workers: 1, slotsPerWorker: 2, managedMemoryBytes: 64 << 20,
 * });
 * console.log(cluster.master.url);
 * await cluster.shutdown();
 * ```
 */
export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const jobPermissionsMax = o.jobPermissionsMax ??
    parsePermissionPolicy(DEFAULT_JOB_PERMISSIONS_MAX);
  // The in-process workers' ingest readers are served on the master's port.
  const ingest = new IngestEndpoints();
  const master = await startMaster({
    hostname: o.hostname,
    port: o.port,
    tls: o.tls,
    jobPermissionsMax,
    localIngest: (req, name, ack) => ingest.handle(req, name, ack),
  });
  const network = new NetworkEnvironment();
  const moduleDir = Deno.makeTempDirSync({ prefix: "spate-local-" });
  await spawnTaskExecutors({
    system: master.system,
    resourceManager: master.resourceManager,
    network,
    resolveModule: moduleCache(master.url, moduleDir),
    workers: o.workers,
    slotsPerWorker: o.slotsPerWorker,
    slotThreads: o.slotThreads,
    managedMemoryBytes: o.managedMemoryBytes,
    jobPermissionsMax,
    ingest,
  });
  return {
    master,
    async shutdown() {
      network.close();
      await master.shutdown();
      await Deno.remove(moduleDir, { recursive: true }).catch(() => {});
    },
  };
}
