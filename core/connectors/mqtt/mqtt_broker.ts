/**
 * What MQTT sources and sinks share: the broker's address and credentials,
 * a connection that fails with a message naming the broker, and a watch that
 * turns a lost connection into a task failure (the restart strategy applies).
 * The password stays inside this module: it is never part of an error, a log
 * line or a plan.
 * @module
 */

import type { IClientOptions, MqttClient } from "mqtt";
import type { JobPermissions } from "../../config/job_permissions.ts";

/** Environment variables read when a builder is given no credentials. */
export const MQTT_USERNAME_ENV = "SPATE_MQTT_USERNAME";
/** See {@linkcode MQTT_USERNAME_ENV}. */
export const MQTT_PASSWORD_ENV = "SPATE_MQTT_PASSWORD";
/** Default time a connection attempt may take before the task fails. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** Default keep-alive: a broker silent this long counts as gone. */
export const DEFAULT_KEEPALIVE_S = 30;

const PROTOCOLS: Record<string, number> = { "mqtt:": 1883, "tcp:": 1883, "mqtts:": 8883 };

/** Where a broker is and how to log in; the password is not enumerable. */
export class MqttBroker {
  /** `host:port`, what the job's sandbox must allow. */
  readonly address: string;
  readonly username: string | undefined;
  readonly #password: string | undefined;

  /**
   * @param url `mqtt://host[:port]` (or `mqtts://`); credentials in the URL are refused
   * @param credentials a username and password, or the names of the environment variables that hold them
   */
  constructor(
    readonly url: string,
    credentials: { username?: string; password?: string; env?: readonly [string, string] },
    readonly connectTimeoutMs: number = DEFAULT_CONNECT_TIMEOUT_MS,
    readonly keepaliveS: number = DEFAULT_KEEPALIVE_S,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`MQTT broker URL '${url}' is not a URL (mqtt://host:port)`);
    }
    const port = PROTOCOLS[parsed.protocol];
    if (port === undefined) {
      throw new TypeError(`MQTT broker URL '${url}' must start with mqtt://, mqtts:// or tcp://`);
    }
    if (parsed.username !== "" || parsed.password !== "") {
      throw new TypeError(
        "MQTT broker URL must not hold credentials: use setCredentials or " +
          `${MQTT_USERNAME_ENV}/${MQTT_PASSWORD_ENV}`,
      );
    }
    this.address = `${parsed.hostname}:${parsed.port || port}`;
    const [userVar, passVar] = credentials.env ?? [MQTT_USERNAME_ENV, MQTT_PASSWORD_ENV];
    this.username = credentials.username ?? readEnv(userVar);
    this.#password = credentials.password ?? readEnv(passVar);
    if (!(connectTimeoutMs > 0)) throw new RangeError("MQTT connect timeout must be > 0 ms");
    if (!Number.isInteger(keepaliveS) || keepaliveS < 1 || keepaliveS > 65_535) {
      throw new RangeError(
        `MQTT keep-alive must be an integer in 1..65535 seconds, got ${keepaliveS}`,
      );
    }
  }

  /** The permissions a reader or writer needs in the job's slots. */
  permissions(): JobPermissions {
    // env=*: the mqtt package's `debug` dependency lists the whole environment when it loads.
    return { net: [this.address], env: ["*"] };
  }

  /** Never shows the password (plans and logs may print a broker). */
  toJSON(): unknown {
    return { url: this.url, username: this.username };
  }

  /**
   * Connects with `clientId`, or fails with an error naming the broker and
   * what to check. `setup` runs before the connection is made: a resumed
   * session's messages arrive right after CONNACK, and a listener added
   * later would miss them. Automatic reconnects are off: a lost connection
   * fails the task (see {@linkcode watchConnection}).
   */
  async connect(
    clientId: string,
    options: IClientOptions = {},
    setup: (client: MqttClient) => void = () => {},
  ): Promise<MqttClient> {
    // Loaded here, not at import: only jobs that use MQTT load the client (and need its permissions).
    const { default: mqtt } = await import("mqtt");
    const client = mqtt.connect(this.url, {
      ...options,
      clientId,
      username: this.username,
      password: this.#password,
      protocolVersion: 5,
      reconnectPeriod: 0,
      connectTimeout: this.connectTimeoutMs,
      keepalive: this.keepaliveS,
    });
    setup(client);
    try {
      await new Promise<void>((resolve, reject) => {
        client.once("connect", () => resolve());
        client.once("error", reject);
        client.once("close", () => reject(new Error("the connection closed before CONNACK")));
      });
      return client;
    } catch (e) {
      client.end(true);
      throw new Error(this.describeConnectError(e));
    }
  }

  private describeConnectError(e: unknown): string {
    const err = e as { message?: string; code?: string | number };
    const at = `MQTT broker ${this.url}`;
    if (err.code === 134 || err.code === 135 || err.code === 4 || err.code === 5) {
      return `${at} refused the login of user '${this.username ?? "(anonymous)"}': ` +
        `${err.message} (check the credentials: setCredentials or ${MQTT_USERNAME_ENV}/${MQTT_PASSWORD_ENV})`;
    }
    if (err.code === "ECONNREFUSED") {
      return `cannot reach ${at}: connection refused (is the broker running, and is the port right?)`;
    }
    return `cannot connect to ${at}: ${err.message ?? String(e)}`;
  }
}

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // no env permission here: no credentials from the environment
  }
}

/**
 * Watches a connected client: `failure()` returns an error once the
 * connection to the broker is lost (unless `closing()` says it is ours).
 */
export function watchConnection(
  client: MqttClient,
  url: string,
  closing: () => boolean,
): { failure(): Error | undefined } {
  let failure: Error | undefined;
  client.on("error", (e) => {
    failure ??= new Error(`lost the connection to MQTT broker ${url}: ${e.message}`);
  });
  client.on("close", () => {
    if (!closing()) failure ??= new Error(`lost the connection to MQTT broker ${url}`);
  });
  return { failure: () => failure };
}
