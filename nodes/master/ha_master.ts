/**
 * A master with high availability on etcd (`spate master --ha etcd`): it
 * campaigns for leadership of its cluster; while it leads it serves as a
 * master without HA does (a fresh set of actors per term); while it stands by,
 * or once its leadership is lost, it runs no actor and so no JobMaster, and
 * refuses RPC connections and REST calls, pointing at the leader.
 *
 * @example
 * ```ts ignore
 * import { startHaMaster } from "./ha_master.ts";
 * const master = await startHaMaster({
 *   port: 0,
 *   ha: { endpoints: ["http://127.0.0.1:2379"], clusterId: "prod", sessionTtlMs: 3000 },
 * });
 * // ... master.isLeader, master.url
 * await master.shutdown();
 * ```
 * @module
 */

import { Logger } from "../../core/log/logger.ts";
import { OPTIONS } from "../../core/config/options.ts";
import { SPATE_VERSION } from "../../core/version.ts";
import { type HaOverview, REST_PREFIX, type StandbyOverviewResponse } from "../protocol/rest.ts";
import { RPC_CONNECT_PATH } from "../rpc/transport_http2.ts";
import { listenHttp } from "../rpc/tls/http_listener.ts";
import { CHALLENGE_PATH } from "../rpc/auth/peer_proof.ts";
import type { EtcdHaOptions } from "./ha/ha_options.ts";
import { LeaderElection } from "./ha/leader_election.ts";
import type { Leadership } from "./ha/election_core.ts";
import { FencedWriter } from "./ha/fenced_writer.ts";
import { EtcdJobStore, readStoredJobs } from "./ha/job_store.ts";
import type { StoredJob } from "./durable_jobs.ts";
import { latestCheckpointRestore } from "./job_restore.ts";
import { checkpointOptionsOf } from "./job_checkpoint_options.ts";
import { lazyMetrics, METRICS_PATH } from "../protocol/metrics_route.ts";
import {
  boundedShutdown,
  masterBlobStore,
  type MasterOptions,
  type MasterServices,
  peerAddress,
  SHUTDOWN_GRACE_MS,
  startMasterServices,
} from "./master_process.ts";

/** A master's options with the etcd it elects its leader on. */
export interface HaMasterOptions extends MasterOptions {
  readonly ha: Partial<EtcdHaOptions> & Pick<EtcdHaOptions, "endpoints">;
  /** Where election lines go (default: stderr). */
  readonly log?: (line: string) => void;
}

/** A started master with high availability. */
export interface HaMaster {
  /** This master's URL: what the election tells the others about it. */
  readonly url: string;
  /** Its campaign (who leads, this master's term). */
  readonly election: LeaderElection;
  /** Whether it leads now (and so serves). */
  readonly isLeader: boolean;
  /** Leadership as `GET /api/v1/overview` shows it. */
  overview(): HaOverview;
  /** Resigns (a standby takes over at once), stops serving, and closes the server. */
  shutdown(): Promise<void>;
}

/** Answers a JSON body with `status`. */
function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * What a master that does not lead answers: RPC connections (and their
 * challenges) are refused with the leader's URL; REST calls are redirected
 * (307, same path) to the leader, or refused while none is known; the
 * overview shows who leads.
 */
export function standbyResponse(req: Request, self: string, ha: HaOverview): Response {
  const url = new URL(req.url);
  const leader = ha.leader !== null && ha.leader !== self ? ha.leader : null;
  if (url.pathname === RPC_CONNECT_PATH || url.pathname === CHALLENGE_PATH) {
    return json({ error: "not leader", leader }, 503);
  }
  if (url.pathname === `${REST_PREFIX}/overview` && req.method === "GET") {
    return json({ version: SPATE_VERSION, ha } satisfies StandbyOverviewResponse, 200);
  }
  if (leader === null) return json({ error: "no leader elected yet" }, 503);
  return json({ error: "not leader", leader }, 307, {
    location: `${leader}${url.pathname}${url.search}`,
  });
}

/** The default of `log`: text lines start with `[ha] ` as before; JSON names component "ha". */
const HA_LOG = new Logger("ha");

/** Starts a master that campaigns for leadership on etcd and serves while it leads. */
export async function startHaMaster(options: HaMasterOptions): Promise<HaMaster> {
  const log = options.log ?? ((line: string) => HA_LOG.info(line.replace(/^\[ha\] /, "")));
  const { blobs, own } = masterBlobStore(options);
  let services: MasterServices | undefined;
  const standby = lazyMetrics(async () =>
    (await import("./master_metrics.ts")).standbyMetrics().handle
  );
  let url = "";
  // Requests are served only after this function returned, so `e` is set by then.
  const overview = (): HaOverview => {
    const leader = e.leader;
    return {
      mode: "etcd",
      clusterId: e.options.clusterId,
      leader: leader?.url ?? null,
      term: leader?.token ?? null,
      standbys: e.candidates.filter((c) => c !== leader?.url),
      isLeader: services !== undefined,
    };
  };
  const server = await listenHttp(
    {
      hostname: options.hostname ?? OPTIONS.bindHost.default,
      port: options.port ?? OPTIONS.port.default,
      tls: options.tls,
      needsClientCert: (path) => path === RPC_CONNECT_PATH,
      onTlsError: log,
    },
    (req, info) =>
      services?.handle(req, peerAddress(info)) ??
        (new URL(req.url).pathname === METRICS_PATH && req.method === "GET"
          ? standby()
          : standbyResponse(req, url, overview())),
  );
  url = server.url;
  const e = new LeaderElection({ ...options.ha, url, log: (line) => log(`[ha] ${line}`) });
  const cluster = `cluster '${e.options.clusterId}'`;
  const stepDown = (why: string) => {
    const s = services;
    services = undefined;
    if (s === undefined) return Promise.resolve();
    log(`[ha] ${url} stops leading ${cluster} (${why}): its jobs and connections stop`);
    return s.stop();
  };
  const stillLeads = (l: Leadership) => e.leadership?.token === l.token;
  const becomeLeader = async (l: Leadership) => {
    const electedMs = performance.now();
    log(`[ha] ${url} elected leader of ${cluster} (term ${l.token})`);
    await stepDown("a new term begins");
    const recovered = await readJobsWhileLeading(e, l, log, stillLeads);
    if (recovered === undefined || !stillLeads(l)) return;
    const store = new EtcdJobStore(new FencedWriter(e.etcd, e.options.clusterId, l));
    services = startMasterServices(options, blobs, {
      overview,
      term: l.token,
      durable: { store, recovered },
    });
    log(
      `[ha] ${url} serves as leader (term ${l.token}); ${recovered.length} job(s) resumed, ` +
        `read in ${Math.round(performance.now() - electedMs)} ms`,
    );
  };
  e.on("elected", (l) => void becomeLeader(l));
  e.on("lost", (reason) => {
    log(`[ha] ${url} lost leadership of ${cluster}: ${reason}`);
    void stepDown("leadership lost");
  });
  e.on("leaderChanged", (l) => {
    log(`[ha] leader of ${cluster}: ${l === undefined ? "none" : `${l.url} (term ${l.token})`}`);
  });
  e.campaign();
  return {
    url,
    election: e,
    get isLeader() {
      return services !== undefined;
    },
    overview,
    async shutdown() {
      await e.close();
      await stepDown("shutting down");
      await boundedShutdown(server, SHUTDOWN_GRACE_MS);
      if (own) await Deno.remove(blobs.dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Longest pause between attempts to read the job store. */
const READ_RETRY_MAX_MS = 4_000;

/**
 * The jobs a new leader resumes, each with the newest checkpoint id that the
 * job store or the checkpoint storage knows (ids go on from there). Retries
 * with backoff while this term lasts; undefined once it ended.
 */
async function readJobsWhileLeading(
  e: LeaderElection,
  l: Leadership,
  log: (line: string) => void,
  stillLeads: (l: Leadership) => boolean,
): Promise<StoredJob[] | undefined> {
  for (let delayMs = 250; stillLeads(l); delayMs = Math.min(2 * delayMs, READ_RETRY_MAX_MS)) {
    try {
      const jobs = await readStoredJobs(e.etcd, e.options.clusterId);
      return await Promise.all(jobs.map((j) => withNewestCheckpoint(j, log)));
    } catch (err) {
      log(`[ha] cannot read the job store (${(err as Error).message}); retrying in ${delayMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  return undefined;
}

/** `job` with the newest checkpoint id of the pointer and of its checkpoint storage. */
async function withNewestCheckpoint(
  job: StoredJob,
  log: (line: string) => void,
): Promise<StoredJob> {
  const { root } = checkpointOptionsOf(job.jobId, job.submission);
  const found = await latestCheckpointRestore(
    root,
    job.jobId,
    (id, reason) =>
      log(`[ha] job ${job.jobId}: checkpoint ${id} is corrupt and skipped: ${reason}`),
  );
  const latest = Math.max(job.latestCheckpointId ?? 0, found?.checkpointId ?? 0);
  return { ...job, latestCheckpointId: latest };
}
