/**
 * What the MQTT source and sink builders share: the broker URL, the
 * credentials, the connect timeout and the keep-alive, with their setters.
 * @module
 */

import { MqttBroker } from "./mqtt_broker.ts";

/** The connection part of an MQTT builder. */
export abstract class MqttConnectionBuilder {
  private url: string | undefined;
  private credentials: { username?: string; password?: string; env?: [string, string] } = {};
  private connectTimeoutMs: number | undefined;
  private keepaliveS: number | undefined;

  /** `mqtt://host:port` (or `mqtts://`). Required. */
  setBrokerUrl(url: string): this {
    this.url = url;
    return this;
  }
  /** Username and password (else from SPATE_MQTT_USERNAME / SPATE_MQTT_PASSWORD). */
  setCredentials(username: string, password: string): this {
    this.credentials = { username, password };
    return this;
  }
  /** Names of the environment variables holding the username and password. */
  setCredentialsFromEnv(usernameVar: string, passwordVar: string): this {
    this.credentials = { env: [usernameVar, passwordVar] };
    return this;
  }
  /** How long connecting may take before the task fails (default 10 s). */
  setConnectTimeoutMs(ms: number): this {
    this.connectTimeoutMs = ms;
    return this;
  }
  /**
   * Keep-alive (default 30 s): a broker that answers no ping within about
   * 1.5 times this (frozen, or a network path that drops packets) counts as
   * gone, and the task fails instead of waiting.
   */
  setKeepAliveSeconds(s: number): this {
    this.keepaliveS = s;
    return this;
  }

  /** The broker to connect to; `built` (the class built) names what is missing. */
  protected broker(built: string): MqttBroker {
    if (this.url === undefined) throw new TypeError(`${built} needs setBrokerUrl(url)`);
    return new MqttBroker(this.url, this.credentials, this.connectTimeoutMs, this.keepaliveS);
  }
}
