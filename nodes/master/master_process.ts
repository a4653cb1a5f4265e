/**
 * A master: the Dispatcher and ResourceManager actors, the blob store, and one
 * HTTP server (HTTP/2 cleartext and HTTP/1.1 on one port) for the REST API
 * and the workers' and clients' RPC connections.
 * @module
 */

import type { ActorRef } from "../rpc/actor.ts";
import { ActorSystem } from "../rpc/actor_system.ts";
import { DEFAULT_MAX_FRAME_BYTES } from "../rpc/frames.ts";
import type { RemoteConnection } from "../rpc/remote_connection.ts";
import { acceptConnection, RPC_CONNECT_PATH } from "../rpc/transport_http2.ts";
import { BlobStore } from "./blob_store.ts";
import { Dispatcher, type DispatcherDurability } from "./dispatcher.ts";
import type { DispatcherMessage } from "../protocol/dispatcher.ts";
import type { ResourceManagerMessage } from "../protocol/resource_manager.ts";
import {
  type DataAddressProbe,
  DEFAULT_HEARTBEAT_SETTINGS,
  type HeartbeatSettings,
  ResourceManager,
} from "./resource_manager.ts";
import { type LocalIngest, restApi } from "./rest/api.ts";
import { JobFollowers } from "./job_followers.ts";
import { MasterGate, type MasterSecurity } from "./auth/master_gate.ts";
import { CHALLENGE_PATH } from "../rpc/auth/peer_proof.ts";
import { DataRelay, RELAY_PATH } from "../rpc/data_relay.ts";
import { tcpProbe } from "./data_address_probe.ts";
import { PeerStreamLimit, type StreamLimits, streamLimits } from "../rpc/peer_stream_limit.ts";
import { OPTIONS } from "../../core/config/options.ts";
import {
  DEFAULT_JOB_PERMISSIONS_MAX,
  type JobPermissions,
  parsePermissionPolicy,
} from "../../core/config/job_permissions.ts";
import type { HaOverview } from "../protocol/rest.ts";
import { listenHttp } from "../rpc/tls/http_listener.ts";
import type { ServerTls } from "../rpc/tls/tls_material.ts";

/** How long one end of a relayed channel waits at the master for the other (as a worker's). */
const DEFAULT_RELAY_WAIT_MS = 30_000;

/** Where a master listens and keeps its blobs, its heartbeat, credentials and limits. */
export interface MasterOptions {
  readonly hostname?: string;
  readonly port?: number;
  readonly blobDir?: string;
  readonly heartbeat?: Partial<HeartbeatSettings>;
  readonly maxFrameBytes?: number;
  /** Bounds of accepted RPC streams (hello deadline, open streams per peer). */
  readonly streamLimits?: Partial<StreamLimits>;
  /** Serve TLS (and with `clientAuth`, accept RPC connections only from certified nodes). */
  readonly tls?: ServerTls;
  /** The values its flags set, by registry key: shown by `GET /api/v1/config`. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** Cluster secret, tokens, failed-authentication limits (none: open, as ever). */
  readonly security?: MasterSecurity;
  /** Jobs running at once. */
  readonly maxJobs?: number;
  /** Largest REST request body, and largest job bundle. */
  readonly maxRequestBodyBytes?: number;
  /** Collected records kept per SDK-submitted job (--max-collect-records). */
  readonly maxCollectRecords?: number;
  /** How long an SDK-submitted bundle may take to plan (--plan-timeout). */
  readonly planTimeoutMs?: number;
  readonly maxBlobBytes?: number;
  /** The most a job may ask for (default: `DEFAULT_JOB_PERMISSIONS_MAX`). */
  readonly jobPermissionsMax?: JobPermissions;
  /** HTTP ingest of in-process workers (`spate local`). */
  readonly localIngest?: LocalIngest;
}

/** The master's actors, without a server (the embedded cluster uses them directly). */
export interface MasterActors {
  readonly system: ActorSystem;
  readonly dispatcher: ActorRef<DispatcherMessage>;
  readonly resourceManager: ActorRef<ResourceManagerMessage>;
}

/**
 * Starts the Dispatcher and ResourceManager in `system`; with HA, `term` is
 * the leader's term that workers check, and `durable` where jobs are recorded
 * and which jobs to resume.
 */
export function startMasterActors(
  system: ActorSystem,
  heartbeat: Partial<HeartbeatSettings> = {},
  term?: number,
  durable?: DispatcherDurability,
  maxJobs?: number,
  jobPermissionsMax?: JobPermissions,
  probe?: DataAddressProbe,
  followers?: JobFollowers,
): MasterActors {
  // Each needs the other: the refs are read only after both exist.
  const dispatcher: ActorRef<DispatcherMessage> = system.spawn(
    "dispatcher",
    () =>
      new Dispatcher(
        () => resourceManager,
        durable,
        maxJobs,
        jobPermissionsMax,
        followers && ((jobId) => followers.resumed(jobId)),
      ),
  );
  const resourceManager: ActorRef<ResourceManagerMessage> = system.spawn(
    "resourcemanager",
    () =>
      new ResourceManager(
        () => dispatcher,
        {
          // An absent flag arrives as undefined: it must not override the default.
          heartbeatIntervalMs: heartbeat.heartbeatIntervalMs ??
            DEFAULT_HEARTBEAT_SETTINGS.heartbeatIntervalMs,
          heartbeatTimeoutMs: heartbeat.heartbeatTimeoutMs ??
            DEFAULT_HEARTBEAT_SETTINGS.heartbeatTimeoutMs,
        },
        term,
        probe,
      ),
  );
  return { system, dispatcher, resourceManager };
}

/** A started master process: its actors, its URL, and how to stop it. */
export interface Master extends MasterActors {
  readonly url: string;
  shutdown(): Promise<void>;
}

/** How long a stopping master waits for open HTTP connections before it drops them. */
export const SHUTDOWN_GRACE_MS = 2000;

/** Shuts a server down gracefully, giving up after `graceMs` (the process then exits). */
export async function boundedShutdown(
  server: { shutdown(): Promise<void> },
  graceMs: number,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => timer = setTimeout(resolve, graceMs));
  await Promise.race([server.shutdown(), late]);
  clearTimeout(timer);
}

/** A master's serving part: its actors, the REST API, the RPC connections it accepted. */
export interface MasterServices extends MasterActors {
  /** Answers one HTTP request from `peer` (its address): an RPC connection or a REST call. */
  handle(req: Request, peer?: string): Response | Promise<Response>;
  /** Closes the RPC connections and stops the actors (every JobMaster with them). */
  stop(): Promise<void>;
}

/**
 * Starts the actors and the request handler of a serving master, on `blobs`;
 * with HA, for the leader term `ha.term`.
 */
export function startMasterServices(
  options: MasterOptions,
  blobs: BlobStore,
  ha?: {
    readonly overview: () => HaOverview;
    readonly term: number;
    readonly durable: DispatcherDurability;
  },
): MasterServices {
  const system = new ActorSystem("master");
  // One follower per job, for the REST clients that follow it (a resumed job's too).
  const followers = new JobFollowers(system, options.maxCollectRecords);
  // A serving master always caps its jobs' permissions.
  const actors = startMasterActors(
    system,
    options.heartbeat,
    ha?.term,
    ha?.durable,
    options.maxJobs,
    options.jobPermissionsMax ?? parsePermissionPolicy(DEFAULT_JOB_PERMISSIONS_MAX),
    // A worker whose data address does not answer the master is taken as --no-inbound.
    tcpProbe(),
    followers,
  );
  const api = restApi({
    dispatcher: actors.dispatcher,
    resourceManager: actors.resourceManager,
    blobs,
    ha: ha?.overview,
    settings: options.settings,
    maxRequestBodyBytes: options.maxRequestBodyBytes,
    secret: options.security?.secret,
    localIngest: options.localIngest,
    system,
    followers,
    maxCollectRecords: options.maxCollectRecords,
    planTimeoutMs: options.planTimeoutMs,
    jobPermissionsMax: options.jobPermissionsMax ??
      parsePermissionPolicy(DEFAULT_JOB_PERMISSIONS_MAX),
  });
  const gate = new MasterGate(options.security);
  const connections = new Set<RemoteConnection>();
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  const limits = streamLimits(options.streamLimits);
  const perPeer = new PeerStreamLimit(limits.maxStreamsPerPeer);
  // Workers that accept no connections (--no-inbound) meet here when no --relay worker serves.
  const relay = new DataRelay({
    ...limits,
    maxFrameBytes,
    partitionRequestTimeoutMs: DEFAULT_RELAY_WAIT_MS,
  });
  return {
    ...actors,
    async handle(req, peer = "unknown") {
      const path = new URL(req.url).pathname;
      if (path === CHALLENGE_PATH && req.method === "POST") return gate.challenge(peer);
      if (path === RPC_CONNECT_PATH && req.method === "POST") {
        const admission = await gate.admitRpc(req, peer);
        if (admission instanceof Response) return admission;
        const release = perPeer.open(peer);
        if (release === undefined) return perPeer.refusal(peer, "RPC");
        return acceptConnection(
          req,
          system,
          (conn) => {
            connections.add(conn);
            conn.onClose((reason) => {
              release();
              connections.delete(conn);
              if (conn.peerId !== undefined) {
                actors.resourceManager.tell({
                  type: "peerDisconnected",
                  systemId: conn.peerId,
                  reason: `connection ${reason}`,
                });
              }
            });
          },
          maxFrameBytes,
          admission,
          limits.firstFrameTimeoutMs,
        );
      }
      if (path === RELAY_PATH && req.method === "POST") {
        const admitted = await gate.admitData(req, peer);
        return admitted instanceof Response ? admitted : relay.serve(req, admitted, peer);
      }
      return await gate.admitRest(req, peer) ?? await api.fetch(req);
    },
    async stop() {
      relay.close();
      for (const c of connections) c.close("master shutting down");
      await system.shutdown();
    },
  };
}

/** The blob store of `options` and whether the master made (and so removes) its directory. */
export function masterBlobStore(options: MasterOptions): { blobs: BlobStore; own: boolean } {
  const own = options.blobDir === undefined;
  const dir = options.blobDir ?? Deno.makeTempDirSync({ prefix: "spate-blobs-" });
  return { blobs: new BlobStore(dir, options.maxBlobBytes), own };
}

/** The address of the peer of a request, by which failed authentications are counted. */
export function peerAddress(info: { readonly remoteAddr: Deno.Addr }): string {
  return (info.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
}

/** Starts a master process's services. */
export async function startMaster(options: MasterOptions = {}): Promise<Master> {
  const { blobs, own } = masterBlobStore(options);
  const services = startMasterServices(options, blobs);
  const server = await listenHttp({
    hostname: options.hostname ?? OPTIONS.bindHost.default,
    port: options.port ?? OPTIONS.port.default,
    tls: options.tls,
    needsClientCert: (path) => path === RPC_CONNECT_PATH,
    onTlsError: (message) => services.system.log(message),
  }, (req, info) => services.handle(req, peerAddress(info)));
  const { handle: _h, stop: _s, ...actors } = services;
  return {
    ...actors,
    url: server.url,
    async shutdown() {
      await services.stop();
      // Open streams to an unreachable peer would keep a graceful shutdown waiting.
      await boundedShutdown(server, SHUTDOWN_GRACE_MS);
      if (own) await Deno.remove(blobs.dir, { recursive: true }).catch(() => {});
    },
  };
}
