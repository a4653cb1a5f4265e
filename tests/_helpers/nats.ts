/**
 * A real nats-server with JetStream for tests: `nats-server -js -a 127.0.0.1
 * -p PORT -sd DIR` on a free loopback port with its own store directory
 * (anonymous, or one user with a password), started and stopped by the test
 * that needs it; `stop()` + `start()` restarts it on the same port and store.
 *
 * The binary comes from Debian's `nats-server` package (`.ci/run` installs
 * it); without it {@linkcode natsSkipReason} says why and the tests skip
 * themselves, except in CI (`CI=true`), where a missing server fails them.
 *
 * @example
 * ```ts ignore
 * import { startNatsServer } from "./nats.ts";
 * await using server = await startNatsServer();
 * server.url; // "nats://127.0.0.1:PORT"
 * ```
 * @module
 */

import { freePort } from "./cluster.ts";
import { stopProcess } from "./stop_process.ts";
import { startInTempDir } from "./service_dir.ts";

/** The nats-server binary tests run (`SPATE_NATS_SERVER_BIN` overrides). */
export const NATS_SERVER_BIN = Deno.env.get("SPATE_NATS_SERVER_BIN") ?? "/usr/sbin/nats-server";
/** How long a start may take until the port accepts connections. */
const START_DEADLINE_MS = 10_000;
/** How long a stop waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 3_000;

/** Why nats-server tests cannot run here (never in CI: there they fail), or undefined. */
export function natsSkipReason(): string | undefined {
  if (Deno.env.get("CI") === "true") return undefined;
  try {
    Deno.statSync(NATS_SERVER_BIN);
    return undefined;
  } catch (e) {
    return `no nats-server binary (\`${NATS_SERVER_BIN}\`: ${(e as Error).message}); ` +
      "install Debian's nats-server package (.ci/run does)";
  }
}

/** How a test's server is set up. */
export interface NatsServerOptions {
  /** One user allowed to log in (anonymous access is then refused). */
  readonly user?: { readonly name: string; readonly password: string };
}

/** One nats-server process of a test. */
export class TestNatsServer {
  readonly port = freePort();
  readonly url = `nats://127.0.0.1:${this.port}`;
  private child: Deno.ChildProcess | undefined;

  constructor(readonly dir: string, private readonly options: NatsServerOptions = {}) {}

  /** The server's log, for a failing test's message. */
  get logPath(): string {
    return `${this.dir}/nats-server.log`;
  }

  /** Starts nats-server and waits until its port accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`nats-server at ${this.url} is already running`);
    const args = ["-js", "-a", "127.0.0.1", "-p", String(this.port), "-sd", `${this.dir}/store`];
    args.push("-l", this.logPath);
    const user = this.options.user;
    if (user !== undefined) args.push("--user", user.name, "--pass", user.password);
    this.child = new Deno.Command(NATS_SERVER_BIN, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      // Ready once the log says so: the port opens before JetStream has recovered its streams.
      const log = await Deno.readTextFile(this.logPath).catch(() => "");
      if (log.includes("Server is ready")) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(
      `nats-server at ${this.url} was not ready within ${START_DEADLINE_MS} ms:\n${await Deno
        .readTextFile(this.logPath).catch(() => "")}`,
    );
  }

  /** Freezes nats-server (SIGSTOP): connections stay open, and nothing is sent or answered. */
  freeze(): void {
    this.child?.kill("SIGSTOP");
  }

  /** Thaws a frozen nats-server (SIGCONT). */
  thaw(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops nats-server: SIGTERM, then SIGKILL past a bound. The store stays. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await stopProcess(child, STOP_GRACE_MS);
    // A restart must wait for "Server is ready" of its own run.
    await Deno.remove(this.logPath).catch(() => {});
  }

  /** Stops nats-server and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Starts a server in a new temporary directory. */
export async function startNatsServer(
  options: NatsServerOptions = {},
): Promise<TestNatsServer & AsyncDisposable> {
  return await startInTempDir("spate-nats-", (dir) => new TestNatsServer(dir, options));
}
