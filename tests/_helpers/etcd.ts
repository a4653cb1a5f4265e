/**
 * A real etcd for tests: one member on free loopback ports with its own data
 * directory, started and stopped by the test that needs it. It can be stopped
 * and started again on the same ports with the same data (etcd down, then up).
 *
 * The binary comes from Debian's `etcd-server` package (`.ci/run` installs it);
 * without it {@linkcode etcdSkipReason} says why, and the tests skip themselves.
 *
 * @example
 * ```ts ignore
 * import { startEtcd } from "./etcd.ts";
 * const etcd = await startEtcd();
 * try {
 *   // use etcd.clientUrl
 *   await etcd.stop(); // etcd down ...
 *   await etcd.start(); // ... and up again, same ports, same data
 * } finally {
 *   await etcd.close();
 * }
 * ```
 * @module
 */

import { freePort } from "./cluster.ts";
import { stopProcess } from "./stop_process.ts";
import { startInTempDir } from "./service_dir.ts";

/** The etcd binary tests run (`SPATE_ETCD_BIN` overrides). */
export const ETCD_BIN = Deno.env.get("SPATE_ETCD_BIN") ?? "etcd";
/** How long a start may take until etcd answers `/health`. */
const START_DEADLINE_MS = 15_000;
/** How long a stop waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 3_000;

/**
 * Why etcd tests cannot run here, or undefined when they can.
 *
 * @example
 * ```ts
 * import { etcdSkipReason } from "./etcd.ts";
 * const reason = etcdSkipReason();
 * if (reason) console.log(`etcd tests skipped: ${reason}`);
 * ```
 */
export function etcdSkipReason(): string | undefined {
  try {
    const r = new Deno.Command(ETCD_BIN, { args: ["--version"], stdout: "piped", stderr: "piped" })
      .outputSync();
    if (r.success) return undefined;
    return `\`${ETCD_BIN} --version\` failed: ${new TextDecoder().decode(r.stderr).trim()}`;
  } catch (e) {
    return `no etcd binary (\`${ETCD_BIN}\`: ${(e as Error).message}); ` +
      "install Debian's etcd-server package (.ci/run does)";
  }
}

/** Where a test's etcd member listens, and how it is started. */
export interface EtcdOptions {
  /** The address it listens on and advertises (default 127.0.0.1). */
  readonly host?: string;
  /** Default: a free port on loopback (give fixed ones with a host in another namespace). */
  readonly clientPort?: number;
  readonly peerPort?: number;
  /** A command that runs etcd, e.g. `ip netns exec NS` (default: none). */
  readonly prefix?: readonly string[];
}

/** One etcd member of a test. */
export class EtcdServer {
  /** The URL clients use, `http://127.0.0.1:PORT`. */
  readonly clientUrl: string;
  private readonly peerUrl: string;
  private child: Deno.ChildProcess | undefined;

  private readonly prefix: readonly string[];

  /** Prefer {@linkcode startEtcd}. */
  constructor(
    /** The data directory (the member's state, kept across stop and start). */
    readonly dir: string,
    options: EtcdOptions = {},
  ) {
    const host = options.host ?? "127.0.0.1";
    this.clientUrl = `http://${host}:${options.clientPort ?? freePort()}`;
    this.peerUrl = `http://${host}:${options.peerPort ?? freePort()}`;
    this.prefix = options.prefix ?? [];
  }

  /** The member's log (stdout and stderr of every start), for a failing test's message. */
  get logPath(): string {
    return `${this.dir}/etcd.log`;
  }

  /** Whether the process runs. */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts etcd and waits until it answers `/health` (throws with the log's tail past the deadline). */
  async start(): Promise<void> {
    if (this.child) throw new Error(`etcd at ${this.clientUrl} is already running`);
    // etcd appends its log to the file itself: piping its stderr into a file from
    // this process crashed Deno (a segfault in a blocking-pool thread) when etcd
    // was stopped and started again under load.
    const [cmd, ...pre] = [...this.prefix, ETCD_BIN];
    this.child = new Deno.Command(cmd, {
      args: [
        ...pre,
        "--name=spate-test",
        `--data-dir=${this.dir}/data`,
        `--listen-client-urls=${this.clientUrl}`,
        `--advertise-client-urls=${this.clientUrl}`,
        `--listen-peer-urls=${this.peerUrl}`,
        `--initial-advertise-peer-urls=${this.peerUrl}`,
        `--initial-cluster=spate-test=${this.peerUrl}`,
        "--logger=zap",
        "--log-level=warn",
        `--log-outputs=${this.logPath}`,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const status = this.child.status;
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      const exited = await Promise.race([status, healthy(this.clientUrl)]);
      if (exited === true) return;
      if (typeof exited === "object") {
        this.child = undefined;
        throw new Error(`etcd exited with code ${exited.code} at start:\n${await this.logTail()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(
      `etcd at ${this.clientUrl} not healthy within ${START_DEADLINE_MS} ms:\n${await this
        .logTail()}`,
    );
  }

  /** Stops etcd: SIGTERM, then SIGKILL if it has not exited within a bound. Data stays. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await stopProcess(child, STOP_GRACE_MS);
  }

  /** Stops etcd and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  /** The last lines of the member's log. */
  async logTail(lines = 20): Promise<string> {
    const text = await Deno.readTextFile(this.logPath).catch(() => "");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }
}

/** Whether etcd at `url` answers `/health` with `"health":"true"` within a second. */
async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) });
    const body = await res.json() as { health?: string };
    return res.ok && body.health === "true";
  } catch {
    return false;
  }
}

/**
 * Starts an etcd member in a new temporary directory and waits until it is healthy.
 *
 * @example
 * ```ts ignore
 * import { startEtcd } from "./etcd.ts";
 * await using etcd = await startEtcd();
 * etcd.clientUrl; // "http://127.0.0.1:PORT"
 * ```
 */
export async function startEtcd(options: EtcdOptions = {}): Promise<EtcdServer & AsyncDisposable> {
  return await startInTempDir("spate-etcd-", (dir) => new EtcdServer(dir, options));
}
