/**
 * A real mosquitto broker for tests: one process on a free loopback port
 * with a generated config (anonymous, or one user with a password) and its
 * own directory, started and stopped by the test that needs it.
 *
 * The binary comes from Debian's `mosquitto` package (`.ci/run` installs it);
 * without it {@linkcode mosquittoSkipReason} says why, and the tests skip themselves.
 *
 * @example
 * ```ts ignore
 * import { startMosquitto } from "./mosquitto.ts";
 * await using broker = await startMosquitto();
 * broker.url; // "mqtt://127.0.0.1:PORT"
 * ```
 * @module
 */

import { freePort } from "./cluster.ts";
import { stopProcess } from "./stop_process.ts";
import { startInTempDir } from "./service_dir.ts";

/** The mosquitto binary tests run (`SPATE_MOSQUITTO_BIN` overrides). */
export const MOSQUITTO_BIN = Deno.env.get("SPATE_MOSQUITTO_BIN") ?? "/usr/sbin/mosquitto";
/** How long a start may take until the port accepts connections. */
const START_DEADLINE_MS = 10_000;
/** How long a stop waits after SIGTERM before it sends SIGKILL. */
const STOP_GRACE_MS = 3_000;

/**
 * What a test passes as `ignore`: true (skipped, saying why) when mosquitto
 * is missing, except in CI (`CI=true`), where `.ci/run` installs it and the
 * test must run (and fail) rather than skip.
 */
export function mosquittoIgnored(what: string): boolean {
  const reason = mosquittoSkipReason();
  if (reason === undefined) return false;
  const inCi = Deno.env.get("CI") === "true";
  console.warn(`${what} ${inCi ? "fails in CI" : "skipped"}: ${reason}`);
  return !inCi;
}

/** Why mosquitto tests cannot run here, or undefined when they can. */
export function mosquittoSkipReason(): string | undefined {
  try {
    Deno.statSync(MOSQUITTO_BIN);
    return undefined;
  } catch (e) {
    return `no mosquitto binary (\`${MOSQUITTO_BIN}\`: ${(e as Error).message}); ` +
      "install Debian's mosquitto package (.ci/run does)";
  }
}

/** How a test's broker is set up. */
export interface MosquittoOptions {
  /** One user allowed to log in (anonymous access is then refused). */
  readonly user?: { readonly name: string; readonly password: string };
  /**
   * Keep sessions and their queued and in-flight messages across a restart
   * (saved in the broker's directory when it stops). Default off.
   */
  readonly persistence?: boolean;
}

/** One mosquitto process of a test. */
export class MosquittoBroker {
  readonly port = freePort();
  readonly url = `mqtt://127.0.0.1:${this.port}`;
  private child: Deno.ChildProcess | undefined;

  constructor(readonly dir: string, private readonly options: MosquittoOptions = {}) {}

  /** The broker's log, for a failing test's message. */
  get logPath(): string {
    return `${this.dir}/mosquitto.log`;
  }

  /** Starts mosquitto and waits until its port accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`mosquitto at ${this.url} is already running`);
    await Deno.writeTextFile(`${this.dir}/mosquitto.conf`, await this.config());
    this.child = new Deno.Command(MOSQUITTO_BIN, {
      args: ["-c", `${this.dir}/mosquitto.conf`],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + START_DEADLINE_MS;
    while (Date.now() < deadline) {
      try {
        (await Deno.connect({ hostname: "127.0.0.1", port: this.port })).close();
        return;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 50));
    }
    await this.stop();
    throw new Error(
      `mosquitto at ${this.url} did not listen within ${START_DEADLINE_MS} ms:\n${await Deno
        .readTextFile(this.logPath).catch(() => "")}`,
    );
  }

  private async config(): Promise<string> {
    const lines = [
      `listener ${this.port} 127.0.0.1`,
      ...(this.options.persistence
        ? ["persistence true", `persistence_location ${this.dir}/`]
        : ["persistence false"]),
      // Run as root (CI), mosquitto would drop to user mosquitto, which cannot read this directory.
      "user root",
      // Unbounded queues: a reader holding PUBACKs until a checkpoint must not lose messages.
      "max_queued_messages 0",
      "max_inflight_messages 0",
      `log_dest file ${this.logPath}`,
      "log_type error",
      "log_type warning",
      "log_type notice",
    ];
    const user = this.options.user;
    if (user === undefined) lines.push("allow_anonymous true");
    else {
      const file = `${this.dir}/passwords`;
      await Deno.writeTextFile(file, "");
      const r = await new Deno.Command("mosquitto_passwd", {
        args: ["-b", file, user.name, user.password],
        stdout: "null",
        stderr: "piped",
      }).output();
      if (!r.success) {
        throw new Error(`mosquitto_passwd failed: ${new TextDecoder().decode(r.stderr)}`);
      }
      lines.push("allow_anonymous false", `password_file ${file}`);
    }
    return lines.join("\n") + "\n";
  }

  /** Freezes the broker (SIGSTOP): its connections stay open and nothing answers. */
  pause(): void {
    if (!this.child) throw new Error(`mosquitto at ${this.url} is not running`);
    this.child.kill("SIGSTOP");
  }

  /** Thaws a paused broker (SIGCONT). */
  resume(): void {
    this.child?.kill("SIGCONT");
  }

  /** Stops mosquitto: SIGTERM, then SIGKILL past a bound. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.resume(); // a paused broker would hold the SIGTERM until the SIGKILL
    this.child = undefined;
    await stopProcess(child, STOP_GRACE_MS);
  }

  /** Stops mosquitto and removes its directory. */
  async close(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}

/** Starts a broker in a new temporary directory. */
export async function startMosquitto(
  options: MosquittoOptions = {},
): Promise<MosquittoBroker & AsyncDisposable> {
  return await startInTempDir("spate-mosquitto-", (dir) => new MosquittoBroker(dir, options));
}
