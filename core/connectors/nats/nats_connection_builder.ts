/**
 * What the JetStream source and sink builders share: the servers, the
 * credentials and the connect timeout, with their setters, and the check
 * of a positive integer setting.
 * @module
 */

import { type NatsCredentials, NatsServer } from "./nats_server.ts";

/** A positive integer setting of `connector`, or a RangeError naming it. */
export function positiveSetting(connector: string, what: string, n: number): number {
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`${connector} ${what} must be a positive integer, got ${n}`);
  }
  return n;
}

/** The connection part of a JetStream builder. */
export abstract class NatsConnectionBuilder {
  private servers: string[] = [];
  private credentials: NatsCredentials = {};
  private connectTimeoutMs: number | undefined;

  /** `connector` names the builder in errors ("JetStream", "JetStream sink"). */
  protected constructor(private readonly connector: string) {}

  /** `nats://host:port` or `host:port`, one or more. Required. */
  setServers(...servers: string[]): this {
    this.servers.push(...servers);
    return this;
  }
  /** User and password (else from SPATE_NATS_USER / SPATE_NATS_PASSWORD). */
  setCredentials(user: string, password: string): this {
    this.credentials = { user, password };
    return this;
  }
  /** A token (else from SPATE_NATS_TOKEN). */
  setToken(token: string): this {
    this.credentials = { token };
    return this;
  }
  /** Names of the environment variables holding the user and password. */
  setCredentialsFromEnv(userVar: string, passwordVar: string): this {
    this.credentials = { env: [userVar, passwordVar] };
    return this;
  }
  /** How long connecting may take before the task fails (default 10 s). */
  setConnectTimeoutMs(ms: number): this {
    this.connectTimeoutMs = this.positive("connect timeout", ms);
    return this;
  }

  /** A positive integer setting of this builder, or a RangeError naming it. */
  protected positive(what: string, n: number): number {
    return positiveSetting(this.connector, what, n);
  }

  /** The servers to connect to; `built` (the class built) names what is missing. */
  protected server(built: string): NatsServer {
    if (this.servers.length === 0) throw new TypeError(`${built} needs setServers(url...)`);
    return new NatsServer(this.servers, this.credentials, this.connectTimeoutMs);
  }
}
