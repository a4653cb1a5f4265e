/**
 * What JetStream sources and sinks share: the servers' addresses and
 * credentials, a connection that fails with a message naming the server,
 * a stream lookup that names an unknown stream, and a watch that turns a
 * lost connection into a task failure (the restart strategy applies). The
 * password and token stay inside this module: never in an error, a log
 * line or a plan.
 * @module
 */

import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager, StreamInfo } from "@nats-io/jetstream";
import type { JobPermissions } from "../../config/job_permissions.ts";

/** Environment variables read when a builder is given no credentials. */
export const NATS_USER_ENV = "SPATE_NATS_USER";
/** See {@linkcode NATS_USER_ENV}. */
export const NATS_PASSWORD_ENV = "SPATE_NATS_PASSWORD";
/** A token instead of a user and password. */
export const NATS_TOKEN_ENV = "SPATE_NATS_TOKEN";
/** Default time a connection attempt may take before the task fails. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** Credentials as a builder collects them. */
export interface NatsCredentials {
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  /** Names of the variables holding the user and the password. */
  readonly env?: readonly [string, string];
}

/** Where the servers are and how to log in; the secrets are private fields. */
export class NatsServer {
  /** `host:port` of every server, what the job's sandbox must allow. */
  readonly addresses: readonly string[];
  readonly user: string | undefined;
  readonly #password: string | undefined;
  readonly #token: string | undefined;
  /** The environment variables credentials are read from (the slots need to read them too). */
  readonly #envNames: readonly string[];

  /**
   * @param servers `nats://host[:port]` or `host:port` each; credentials in them are refused
   */
  constructor(
    readonly servers: readonly string[],
    credentials: NatsCredentials,
    readonly connectTimeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
  ) {
    if (servers.length === 0) throw new TypeError("NATS needs at least one server");
    this.addresses = servers.map(addressOf);
    const [userVar, passVar] = credentials.env ?? [NATS_USER_ENV, NATS_PASSWORD_ENV];
    const fromEnv = credentials.user === undefined && credentials.token === undefined;
    this.#envNames = fromEnv ? [userVar, passVar, NATS_TOKEN_ENV] : [];
    this.user = credentials.user ?? (fromEnv ? readEnv(userVar) : undefined);
    this.#password = credentials.password ?? (fromEnv ? readEnv(passVar) : undefined);
    this.#token = credentials.token ?? (fromEnv ? readEnv(NATS_TOKEN_ENV) : undefined);
    if (!(connectTimeoutMs > 0)) throw new RangeError("NATS connect timeout must be > 0 ms");
  }

  /** The servers as one string for messages. */
  get label(): string {
    return this.servers.join(",");
  }

  /** The permissions a reader or writer needs in the job's slots. */
  permissions(): JobPermissions {
    const env = this.#envNames.length > 0 ? { env: [...this.#envNames] } : {};
    return { net: [...this.addresses], ...env };
  }

  /** Never shows a secret (plans and logs may print a server). */
  toJSON(): unknown {
    return { servers: this.servers, user: this.user };
  }

  /**
   * Connects, or fails with an error naming the servers and what to check.
   * Reconnects are off: a lost connection fails the task (see {@linkcode watchClosed}).
   */
  async connect(name: string): Promise<NatsConnection> {
    // Loaded here, not at import: only jobs that use NATS load the client.
    const { connect } = await import("@nats-io/transport-node");
    try {
      return await connect({
        servers: [...this.servers],
        name,
        user: this.user,
        pass: this.#password,
        token: this.#token,
        reconnect: false,
        timeout: this.connectTimeoutMs,
      });
    } catch (e) {
      throw new Error(this.describeConnectError(e), { cause: e });
    }
  }

  private describeConnectError(e: unknown): string {
    const err = e as { message?: string; name?: string };
    const at = `NATS server ${this.label}`;
    const message = err.message ?? String(e);
    if (err.name === "AuthorizationError" || /authorization/i.test(message)) {
      return `${at} refused the login of ${
        this.user ? `user '${this.user}'` : this.#token ? "the token" : "an anonymous client"
      }: ${message} (check the credentials: setCredentials or ${NATS_USER_ENV}/${NATS_PASSWORD_ENV})`;
    }
    if (/refused/i.test(message)) {
      return `cannot reach ${at}: connection refused (is nats-server running, and is the port right?)`;
    }
    return `cannot connect to ${at}: ${message}`;
  }
}

/** A stream's info, or an error naming the stream and the server. */
export async function streamInfo(
  jsm: JetStreamManager,
  stream: string,
  server: NatsServer,
): Promise<StreamInfo> {
  try {
    return await jsm.streams.info(stream);
  } catch (e) {
    const err = e as { message?: string; name?: string };
    if (err.name === "StreamNotFoundError" || /not found/i.test(err.message ?? "")) {
      throw new Error(
        `JetStream stream '${stream}' does not exist on NATS server ${server.label} ` +
          "(create it first, e.g. `nats stream add`, or check the name)",
        { cause: e },
      );
    }
    throw new Error(
      `cannot read JetStream stream '${stream}' on NATS server ${server.label}: ${err.message} ` +
        "(is JetStream enabled: nats-server -js?)",
      { cause: e },
    );
  }
}

/**
 * Watches a connection: `failure()` returns an error once it closed
 * without the owner closing it (`closing()` false).
 */
export function watchClosed(
  nc: NatsConnection,
  server: NatsServer,
  closing: () => boolean,
): { failure(): Error | undefined } {
  let failure: Error | undefined;
  nc.closed().then((err) => {
    if (closing()) return;
    failure ??= new Error(
      `lost the connection to NATS server ${server.label}${err ? `: ${err.message}` : ""}`,
      { cause: err },
    );
  });
  return { failure: () => failure };
}

function addressOf(server: string): string {
  const withScheme = server.includes("://") ? server : `nats://${server}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`NATS server '${server}' is not host:port or nats://host:port`);
  }
  if (!["nats:", "tls:"].includes(url.protocol)) {
    throw new TypeError(`NATS server '${server}' must be nats://, tls:// or host:port`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new TypeError(
      "NATS server URL must not hold credentials: use setCredentials or " +
        `${NATS_USER_ENV}/${NATS_PASSWORD_ENV}`,
    );
  }
  return `${url.hostname}:${url.port || 4222}`;
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission here: no credentials from the environment
  }
}
