/**
 * A worker process: one TaskExecutor, a data server for the data plane, and
 * a control connection that it dials to the master (workers only dial out for
 * control) and dials again whenever it is lost.
 * @module
 */

import {
  DEFAULT_JOB_PERMISSIONS_MAX,
  type JobPermissions,
  parsePermissionPolicy,
} from "../../core/config/job_permissions.ts";
import type { ResourceManagerMessage } from "../protocol/resource_manager.ts";
import { askTaskExecutor } from "../protocol/task_executor.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import type { RemoteConnection } from "../rpc/remote_connection.ts";
import { dialConnection } from "../rpc/transport_http2.ts";
import { type MasterSource, masterSource } from "../protocol/master_discovery.ts";
import { moduleCache } from "./module_cache.ts";
import {
  DEFAULT_NETWORK_ENVIRONMENT_SETTINGS,
  NetworkEnvironment,
  PARTITION_PATH,
} from "./network/network_environment.ts";
import { type StreamLimits, streamLimits } from "../rpc/peer_stream_limit.ts";
import { TaskExecutor } from "./task_executor.ts";
import { OPTIONS } from "../../core/config/options.ts";
import { listenHttp } from "../rpc/tls/http_listener.ts";
import type { ServerTls } from "../rpc/tls/tls_material.ts";
import { clientTls } from "../rpc/tls/client_tls.ts";
import type { DataPlane } from "./network/direct_channels.ts";
import type { ClusterSecret } from "../rpc/auth/cluster_secret.ts";
import { type AuthLimits, PeerGate } from "../rpc/auth/peer_gate.ts";
import { CHALLENGE_PATH } from "../rpc/auth/peer_proof.ts";
import { DataRelay, RELAY_PATH } from "../rpc/data_relay.ts";
import { PUSH_PATH } from "./network/dialed_channels.ts";
import { lazyMetrics, METRICS_PATH } from "../protocol/metrics_route.ts";
import { TaskMetricsTable } from "./task_metrics_table.ts";
import { IngestEndpoints } from "./ingest_endpoints.ts";
import { INGEST_PREFIX } from "../../core/connectors/http_ingest/ingest_protocol.ts";

/** How a worker process starts. */
export interface WorkerOptions {
  /**
   * The master's URL, or every master of a cluster with high availability:
   * the worker registers with whichever leads, and follows a new leader.
   */
  readonly masterUrl: string | readonly string[] | MasterSource;
  readonly slots: number;
  /** Web Workers the slots share (default: one per slot, at most one per core; see `slot_hosts.ts`). */
  readonly slotThreads?: number;
  readonly managedMemoryBytes: number;
  readonly name?: string;
  /** Address the data server binds to. */
  readonly bindHost?: string;
  /** Host name other workers use to reach this one. */
  readonly advertisedHost?: string;
  readonly dataPort?: number;
  /** How buffers reach other workers (default: OPTIONS.dataPlane). */
  readonly dataPlane?: DataPlane;
  readonly workDir?: string;
  /** The most a job's code may be given in this worker's slots (default: the cluster default cap). */
  readonly jobPermissionsMax?: JobPermissions;
  /** Pause between attempts to reach the master. */
  readonly reconnectIntervalMs?: number;
  /** How long one dial to a master may take (default DEFAULT_CONNECT_TIMEOUT_MS). */
  readonly connectTimeoutMs?: number;
  /**
   * Serve the data port over TLS (with `clientAuth`: only to certified
   * nodes); the worker's own connections use the process's client TLS.
   */
  readonly tls?: ServerTls;
  /** The cluster secret proven to the master and to other workers (and asked of them). */
  readonly secret?: ClusterSecret;
  /** Failed proofs a peer may make on the data port. */
  readonly authLimits?: AuthLimits;
  /** Bounds of accepted data streams (subscribe deadline, open streams per peer). */
  readonly streamLimits?: Partial<StreamLimits>;
  /**
   * Accept no connections (`--no-inbound`: behind NAT or a firewall): the
   * master has peers wait for this worker's dials, or a relay carry the data.
   */
  readonly noInbound?: boolean;
  /** Relay data between workers that accept no connections (`--relay`). */
  readonly relay?: boolean;
}

/** A started worker process (not a Web Worker: its slots are those). */
export interface RunningWorker {
  readonly workerId: string;
  readonly dataAddress: string;
  /** Resolves once the worker is registered with a master (again). */
  registered(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Pause between two attempts to reach the master when none is given. */
export const DEFAULT_RECONNECT_INTERVAL_MS = 500;

/** Starts a worker's data server and TaskExecutor, and dials its master. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  checkReachability(options);
  const workerId = crypto.randomUUID();
  const name = options.name ?? `worker-${workerId.slice(0, 8)}`;
  const system = new ActorSystem(name);
  const network = new NetworkEnvironment({
    ...DEFAULT_NETWORK_ENVIRONMENT_SETTINGS,
    ...streamLimits(options.streamLimits),
  });
  const taskMetrics = new TaskMetricsTable();
  const metrics = lazyMetrics(async () =>
    (await import("./worker_metrics.ts")).workerMetrics(taskMetrics).handle
  );
  const ingest = new IngestEndpoints();
  network.secret = options.secret;
  const gate = new PeerGate(
    options.secret,
    options.authLimits ?? {
      authFailureLimit: OPTIONS.authFailureLimit.default,
      authFailureWindowMs: OPTIONS.authFailureWindowMs.default,
    },
    (line) => system.log(line),
  );
  const relay = options.relay === true ? new DataRelay({ ...network.settings }) : undefined;
  const server = await listenHttp({
    hostname: options.bindHost ?? OPTIONS.bindHost.default,
    port: options.dataPort ?? OPTIONS.dataPort.default,
    tls: options.tls,
    onTlsError: (message) => system.log(`data port: ${message}`),
  }, async (req, info) => {
    const path = new URL(req.url).pathname;
    const peer = (info.remoteAddr as Deno.NetAddr).hostname;
    if (path === CHALLENGE_PATH && req.method === "POST") return gate.challenge(peer);
    if (path === PARTITION_PATH && req.method === "POST") {
      // Only nodes of this cluster read partitions: a proof of the secret first.
      const admitted = await gate.admit(req, peer, "data", "a data stream");
      return admitted instanceof Response ? admitted : network.servePartition(req, admitted, peer);
    }
    if (path === PUSH_PATH && req.method === "POST") {
      const admitted = await gate.admit(req, peer, "data", "a producer's push");
      return admitted instanceof Response ? admitted : network.servePush(req, admitted, peer);
    }
    if (path === RELAY_PATH && req.method === "POST" && relay !== undefined) {
      const admitted = await gate.admit(req, peer, "data", "a relayed data stream");
      return admitted instanceof Response ? admitted : relay.serve(req, admitted, peer);
    }
    if (path === METRICS_PATH && req.method === "GET") return metrics();
    if (path.startsWith(`${INGEST_PREFIX}/`) && req.method === "POST") {
      // With a cluster secret only the master (which checks tokens) forwards ingest requests.
      const admitted = await gate.admit(req, peer, "data", "an ingest request");
      if (admitted instanceof Response) return admitted;
      let name: string;
      try {
        name = decodeURIComponent(path.slice(INGEST_PREFIX.length + 1));
      } catch {
        return new Response(`malformed ingest source name in ${path}\n`, { status: 400 });
      }
      const res = await ingest.handle(req, name, new URL(req.url).searchParams.get("ack"));
      for (const [k, v] of Object.entries(admitted)) res.headers.set(k, v);
      return res;
    }
    return new Response(`no route ${req.method} ${path}\n`, { status: 404 });
  });
  const bound = server.addr.hostname;
  // A wildcard bind is no address for peers: advertise this host's name then.
  const host = options.advertisedHost ??
    (bound === "0.0.0.0" || bound === "::" ? Deno.hostname() : bound);
  const scheme = options.tls === undefined ? "http" : "https";
  network.dataAddress = `${scheme}://${
    host.includes(":") ? `[${host}]` : host
  }:${server.addr.port}`;
  network.dataPlane = options.dataPlane ?? OPTIONS.dataPlane.default;
  network.acceptsInbound = options.noInbound !== true;
  network.relays = relay !== undefined;
  const authLimits = options.authLimits;
  network.slotListen = {
    hostname: options.bindHost ?? OPTIONS.bindHost.default,
    advertisedHost: host,
    tls: options.tls,
    clientTls: clientTls(),
    ...(options.secret === undefined ? {} : { secretKey: options.secret.key }),
    limits: network.settings,
    ...(authLimits === undefined ? {} : authLimits),
  };
  const reconnectMs = options.reconnectIntervalMs ?? DEFAULT_RECONNECT_INTERVAL_MS;
  const workDir = options.workDir ?? Deno.makeTempDirSync({ prefix: "spate-worker-" });
  const source = masterSource(options.masterUrl);
  /** The master tried first: the one registered with last (the leader then). */
  let master = "";
  let conn: RemoteConnection | undefined;
  let stopping = false;
  let onRegistered: (() => void)[] = [];
  let isRegistered = false;

  const te = system.spawn("taskexecutor", () =>
    new TaskExecutor({
      workerId,
      name,
      slots: options.slots,
      slotThreads: options.slotThreads,
      managedMemoryBytes: options.managedMemoryBytes,
      spillDirectory: `${workDir}/spill`,
      jobPermissionsMax: options.jobPermissionsMax ??
        parsePermissionPolicy(DEFAULT_JOB_PERMISSIONS_MAX),
      network,
      metrics: taskMetrics,
      ingest,
      resolveModule: moduleCache(() => master, `${workDir}/jobs`, options.secret),
      onMasterLost: (reason) => {
        system.log(`master lost: ${reason}`);
        conn?.close("master lost");
      },
    }));

  /** Registers with the first master that accepts (a standby refuses), the last leader first. */
  async function register(): Promise<boolean> {
    const failures: string[] = [];
    let masters: string[];
    try {
      masters = await source.masters();
    } catch (e) {
      if (!stopping) system.log(`cannot register with a master: ${(e as Error).message}`);
      return false;
    }
    // A list is tried from the last leader on; etcd names the current one first.
    const order = source.leaderFirst || !masters.includes(master)
      ? masters
      : [master, ...masters.filter((m) => m !== master)];
    for (const url of order) {
      if (stopping) return false;
      try {
        conn = await dialConnection(url, system, {
          connectTimeoutMs: options.connectTimeoutMs,
          secret: options.secret,
        });
        const rm = conn.refFor<ResourceManagerMessage>("/user/resourcemanager");
        network.masterAddress = url;
        await askTaskExecutor(te, { type: "connect", rm });
        master = url;
        return true;
      } catch (e) {
        conn?.close();
        failures.push(`${url}: ${(e as Error).message}`);
      }
    }
    if (!stopping) system.log(`cannot register with a master (${failures.join("; ")})`);
    return false;
  }

  async function connectLoop(): Promise<void> {
    while (!stopping) {
      if (await register()) {
        isRegistered = true;
        for (const r of onRegistered.splice(0)) r();
        system.info(`registered with the master at ${master}`);
        await new Promise<void>((resolve) => conn!.onClose(() => resolve()));
        isRegistered = false;
        te.tell({ type: "masterLost", reason: `connection to the master at ${master} closed` });
      }
      if (!stopping) await new Promise((r) => setTimeout(r, reconnectMs));
    }
  }
  connectLoop();

  return {
    workerId,
    dataAddress: network.dataAddress,
    registered: () =>
      isRegistered ? Promise.resolve() : new Promise<void>((r) => {
        onRegistered = [...onRegistered, r];
      }),
    async shutdown() {
      stopping = true;
      conn?.close("worker shutting down");
      network.close();
      relay?.close();
      await system.shutdown();
      await server.shutdown();
      if (options.workDir === undefined) {
        await Deno.remove(workDir, { recursive: true }).catch(() => {});
      }
    },
  };
}

/** Refuses settings that cannot work together, naming the flags. */
function checkReachability(options: WorkerOptions): void {
  if (options.noInbound === true && options.relay === true) {
    throw new Error(
      "--relay needs a worker that accepts connections: drop --no-inbound or --relay",
    );
  }
  if (options.noInbound === true && (options.dataPlane ?? OPTIONS.dataPlane.default) !== "direct") {
    throw new Error(
      "--no-inbound needs --data-plane direct: the relay data plane has consumers dial producers",
    );
  }
}
