/**
 * A real PostgreSQL for tests: `initdb` into a temporary directory, then
 * `postgres` on a free loopback port with its own socket directory, password
 * authentication and `max_prepared_transactions` set (the exactly-once sink
 * needs it). PostgreSQL refuses to run as root: as root the helper runs it as
 * the `postgres` user (Debian's package creates it) through `runuser`.
 *
 * The binaries come from Debian's `postgresql` package (`.ci/run` installs it);
 * without them {@linkcode postgresSkipReason} says why, and the tests skip.
 *
 * @example
 * ```ts ignore
 * import { startPostgres } from "./postgres.ts";
 * await using pg = await startPostgres();
 * const sql = pg.client();
 * await sql`select 1`;
 * await sql.end();
 * ```
 * @module
 */

import postgres from "postgres";
import { freePort, waitFor } from "./cluster.ts";
import { stopProcess } from "./stop_process.ts";
import { jobPath } from "./cli.ts";
import { startInTempDir } from "./service_dir.ts";

/** Where Debian keeps the server binaries (`SPATE_PG_BIN_DIR` overrides). */
const PG_BIN_DIR = Deno.env.get("SPATE_PG_BIN_DIR") ?? findBinDir();
const START_DEADLINE_MS = 20_000;
const STOP_GRACE_MS = 5_000;
/** The superuser the tests connect as, and its password. */
export const PG_USER = "spate";
export const PG_PASSWORD = "spate-test-secret";
export const PG_DATABASE = "postgres";
/** The credentials, given to the workers in their environment (never in job arguments). */
export const PG_ENV = { PGUSER: PG_USER, PGPASSWORD: PG_PASSWORD };

/**
 * The CLI arguments that run tests/_jobs/postgres_jobs.ts against the server
 * on `port`: on `master` (undefined: `--local`) with the run `flags`, the job
 * taking `args`.
 */
export function postgresJobArgs(
  master: string | undefined,
  port: number,
  args: string[],
  flags: string[] = [],
): string[] {
  return [
    "run",
    jobPath("postgres_jobs.ts"),
    ...(master === undefined ? ["--local"] : ["--master", master]),
    ...flags,
    "--",
    "--port",
    String(port),
    ...args,
  ];
}

function findBinDir(): string {
  for (const v of ["17", "16", "15", "14", "13"]) {
    const dir = `/usr/lib/postgresql/${v}/bin`;
    try {
      Deno.statSync(`${dir}/postgres`);
      return dir;
    } catch { /* next */ }
  }
  return "";
}

const isRoot = () => Deno.uid?.() === 0;

/**
 * What a test passes as `ignore`: true (skipped, saying why) when PostgreSQL
 * is missing, except in CI (`CI=true`), where `.ci/run` installs it and the
 * test must run (and fail) rather than skip.
 */
export function postgresIgnored(what: string): boolean {
  const reason = postgresSkipReason();
  if (reason === undefined) return false;
  const inCi = Deno.env.get("CI") === "true";
  console.warn(`${what} ${inCi ? "fails in CI" : "skipped"}: ${reason}`);
  return !inCi;
}

/** Why PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresSkipReason(): string | undefined {
  const bin = PG_BIN_DIR === "" ? "postgres" : `${PG_BIN_DIR}/postgres`;
  try {
    const r = new Deno.Command(bin, { args: ["--version"], stdout: "piped", stderr: "piped" })
      .outputSync();
    if (!r.success) return `\`${bin} --version\` failed`;
  } catch (e) {
    return `no PostgreSQL server binary (\`${bin}\`: ${(e as Error).message}); ` +
      "install Debian's postgresql package (.ci/run does)";
  }
  if (isRoot()) {
    try {
      const r = new Deno.Command("id", { args: ["-u", "postgres"], stdout: "null", stderr: "null" })
        .outputSync();
      if (!r.success) return "running as root and there is no `postgres` user to run the server";
    } catch (e) {
      return `cannot check for the postgres user: ${(e as Error).message}`;
    }
  }
  return undefined;
}

/** Options of a test server. */
export interface PostgresOptions {
  /** `max_prepared_transactions` (default 32; 0 turns two-phase commit off). */
  readonly maxPreparedTransactions?: number;
}

/** One PostgreSQL server of a test. */
export class PostgresServer {
  readonly port = freePort();
  readonly host = "127.0.0.1";
  private child: Deno.ChildProcess | undefined;

  constructor(readonly dir: string, private readonly options: PostgresOptions = {}) {}

  /** A connection URL with the test credentials. */
  get url(): string {
    return `postgres://${PG_USER}:${PG_PASSWORD}@${this.host}:${this.port}/${PG_DATABASE}`;
  }

  /** A client of the test's own (close it with `end()`). */
  client(): postgres.Sql {
    return postgres(this.url, { max: 2, onnotice: () => {} });
  }

  /** `initdb` (first time only) and start the server; waits until it accepts connections. */
  async start(): Promise<void> {
    if (this.child) throw new Error(`postgres on port ${this.port} is already running`);
    const data = `${this.dir}/data`;
    const sockets = `${this.dir}/sockets`;
    try {
      Deno.statSync(`${data}/PG_VERSION`);
    } catch {
      await Deno.mkdir(sockets, { recursive: true });
      await Deno.writeTextFile(`${this.dir}/pwfile`, PG_PASSWORD + "\n");
      if (isRoot()) await run("chown", ["-R", "postgres:postgres", this.dir]);
      await run(...this.asServerUser(`${PG_BIN_DIR}/initdb`, [
        "-D",
        data,
        "-U",
        PG_USER,
        `--pwfile=${this.dir}/pwfile`,
        "--auth=scram-sha-256",
        "--no-sync",
        "-E",
        "UTF8",
      ]));
    }
    const [cmd, args] = this.asServerUser(`${PG_BIN_DIR}/postgres`, [
      "-D",
      data,
      "-p",
      String(this.port),
      "-k",
      sockets,
      "-c",
      `listen_addresses=${this.host}`,
      "-c",
      `max_prepared_transactions=${this.options.maxPreparedTransactions ?? 32}`,
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      `log_directory=${this.dir}`,
    ]);
    const log = await Deno.open(`${this.dir}/server.log`, {
      write: true,
      create: true,
      append: true,
    });
    this.child = new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .spawn();
    this.child.stdout.pipeTo(log.writable, { preventClose: true }).catch(() => {});
    this.child.stderr.pipeTo(log.writable).catch(() => {});
    let ended: Deno.CommandStatus | undefined;
    this.child.status.then((s) => ended = s);
    await waitFor("postgres to accept connections", async () => {
      if (ended) return true;
      return await this.accepts();
    }, START_DEADLINE_MS);
    if (ended) {
      this.child = undefined;
      throw new Error(`postgres exited with code ${ended.code} at start:\n${await this.logTail()}`);
    }
  }

  /** Stops the server (fast shutdown; SIGKILL past a grace period). The data stays. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    try {
      this.resume(); // a paused server would hold the shutdown signal
    } catch { /* not running */ }
    this.child = undefined;
    const pid = this.postmasterPid();
    // SIGINT: PostgreSQL's fast shutdown; to the postmaster itself when run through runuser.
    await stopProcess(child, STOP_GRACE_MS, "SIGINT", (signal) => {
      if (pid !== undefined) Deno.kill(pid, signal);
      if (pid === undefined || signal === "SIGKILL") child.kill(signal);
    });
  }

  /**
   * Freezes the server (SIGSTOP to the postmaster and every backend): its
   * connections stay open and nothing answers, as with a hung host.
   */
  pause(): void {
    this.signalServer("SIGSTOP");
  }

  /** Thaws a paused server (SIGCONT). */
  resume(): void {
    this.signalServer("SIGCONT");
  }

  private signalServer(signal: Deno.Signal): void {
    const pid = this.postmasterPid();
    if (pid === undefined) throw new Error(`postgres on port ${this.port} is not running`);
    for (const p of [pid, ...childrenOf(pid)]) {
      try {
        Deno.kill(p, signal);
      } catch { /* ended meanwhile */ }
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }

  async logTail(lines = 20): Promise<string> {
    const text = await Deno.readTextFile(`${this.dir}/server.log`).catch(() => "");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  private postmasterPid(): number | undefined {
    try {
      const pid = Number(Deno.readTextFileSync(`${this.dir}/data/postmaster.pid`).split("\n")[0]);
      return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async accepts(): Promise<boolean> {
    const sql = postgres(this.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }

  private asServerUser(bin: string, args: string[]): [string, string[]] {
    return isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
  }
}

/** The ids of the processes whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      // pid (comm) state ppid ...: comm may hold spaces, so read after its ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) children.push(Number(e.name));
    } catch { /* ended meanwhile */ }
  }
  return children;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const r = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!r.success) {
    const err = new TextDecoder().decode(r.stderr).trim();
    throw new Error(`${cmd} ${args.join(" ")} failed (code ${r.code}): ${err}`);
  }
}

/** Starts a server in a new temporary directory (readable by the server's user). */
export async function startPostgres(
  options: PostgresOptions = {},
): Promise<PostgresServer & AsyncDisposable> {
  return await startInTempDir("spate-pg-", async (dir) => {
    await Deno.chmod(dir, 0o755);
    return new PostgresServer(dir, options);
  });
}
