/**
 * HTTP to a spate cluster with undici: one pooled agent (HTTP/2 where the
 * master offers it), timeouts on connect, headers and body, and leader
 * following over several masters: a standby's 307 is followed to the
 * leader, a 503 (no leader yet) or a refused connection moves on to the next
 * master, in rounds with exponential backoff. A request that may have
 * reached a master is retried only when it is idempotent.
 * @module
 */

import { Agent, type Dispatcher, request } from "undici";
import { MasterUnreachableError, SpateAuthError, SpateHttpError } from "./errors.ts";

/** How the client reaches the cluster; every limit has a default. */
export interface ConnectOptions {
  /** The master's URL, or every master of a cluster with high availability. */
  readonly masters: string | readonly string[];
  /** PEM of the CA that signed the masters' certificates (for https masters). */
  readonly ca?: string;
  /** PEM certificate chain and key shown to a master that asks for a client certificate. */
  readonly identity?: { readonly cert: string; readonly key: string };
  /** Bearer token for a master that asks for one. */
  readonly token?: string;
  readonly timeouts?: {
    /** One TCP (and TLS) connect (default 5000). */
    readonly connectMs?: number;
    /** Until a response's headers, and between two chunks of its body (default 30000). */
    readonly requestMs?: number;
    /** Longest silence of a watch stream; the master sends a comment every 5 s (default 30000). */
    readonly watchIdleMs?: number;
  };
  /**
   * How long a watch looks for a leader again after its stream broke (the
   * master went away: with several masters a standby takes over) before it
   * gives up with MasterUnreachableError (default 60000; 0: at once).
   */
  readonly failoverMs?: number;
  /** Rounds over the masters before giving up (default 4: one try and 3 retries). */
  readonly rounds?: number;
  /** First pause between rounds, doubled each round up to `retryMaxMs` (default 100). */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
}

/** One call: what to send and how to treat failures. */
export interface CallOptions {
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
  /** Safe to send again after it may have reached a master (GET, PUT of a blob). */
  readonly idempotent?: boolean;
  /** A streamed response: the body timeout is the watch's idle limit. */
  readonly stream?: boolean;
  /** More request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A response whose status is below 400 (and not a redirect). */
export interface CallResponse {
  readonly status: number;
  readonly body: Dispatcher.ResponseData["body"];
}

/** Errors of a request that never reached a master: safe to send elsewhere. */
const NOT_SENT = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|CONNECT_TIMEOUT/;
const MAX_REDIRECTS = 5;

function notSent(e: unknown): boolean {
  for (let x = e; x instanceof Error; x = x.cause) {
    if (NOT_SENT.test(String((x as { code?: unknown }).code ?? "")) || NOT_SENT.test(x.message)) {
      return true;
    }
  }
  return false;
}

/** The pooled connections to a cluster's masters. */
export class Transport {
  readonly masters: readonly string[];
  readonly failoverMs: number;
  private order: string[];
  private readonly agent: Agent;
  private readonly token?: string;
  private readonly requestMs: number;
  private readonly watchIdleMs: number;
  private readonly rounds: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(o: ConnectOptions) {
    const masters = (typeof o.masters === "string" ? o.masters.split(",") : [...o.masters])
      .map((m) => m.trim().replace(/\/+$/, "")).filter((m) => m !== "");
    if (masters.length === 0) throw new TypeError("connect: give at least one master URL");
    for (const m of masters) {
      let url: URL;
      try {
        url = new URL(m);
      } catch {
        throw new TypeError(`connect: '${m}' is not a URL (e.g. http://127.0.0.1:8081)`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        throw new TypeError(`connect: '${m}' is not an http or https URL`);
      }
    }
    this.masters = masters;
    this.order = [...masters];
    this.token = o.token;
    this.requestMs = o.timeouts?.requestMs ?? 30_000;
    this.watchIdleMs = o.timeouts?.watchIdleMs ?? 30_000;
    this.rounds = Math.max(1, o.rounds ?? 4);
    this.failoverMs = o.failoverMs ?? 60_000;
    this.retryBaseMs = o.retryBaseMs ?? 100;
    this.retryMaxMs = o.retryMaxMs ?? 2_000;
    this.agent = new Agent({
      allowH2: true,
      connect: {
        timeout: o.timeouts?.connectMs ?? 5_000,
        ...(o.ca === undefined ? {} : { ca: o.ca }),
        ...(o.identity === undefined ? {} : { cert: o.identity.cert, key: o.identity.key }),
      },
    });
  }

  /** The master that answered last (the leader, with several). */
  get leader(): string {
    return this.order[0];
  }

  /** Sends `method path` to the leader; throws SpateHttpError for a status of 400 or more. */
  async call(method: string, path: string, o: CallOptions = {}): Promise<CallResponse> {
    let failure: unknown;
    let unavailable: SpateHttpError | undefined;
    for (let round = 0; round < this.rounds; round++) {
      if (round > 0) {
        const pause = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (round - 1));
        await new Promise((r) => setTimeout(r, pause));
      }
      for (const master of [...this.order]) {
        let target = master;
        for (let redirects = 0;; redirects++) {
          let res: Dispatcher.ResponseData;
          try {
            res = await this.send(method, `${target}${path}`, o);
          } catch (e) {
            if (o.signal?.aborted) throw e;
            if (!o.idempotent && !notSent(e)) throw new MasterUnreachableError([target], e);
            failure = e;
            break;
          }
          if (res.statusCode === 307 && redirects < MAX_REDIRECTS) {
            const location = res.headers.location;
            await res.body.dump();
            if (typeof location !== "string") break;
            target = new URL(location).origin;
            continue;
          }
          if (res.statusCode === 503) {
            unavailable = await this.refusal(method, path, res);
            break;
          }
          this.promote(target);
          if (res.statusCode >= 400) throw await this.refusal(method, path, res);
          return { status: res.statusCode, body: res.body };
        }
      }
    }
    if (unavailable !== undefined) throw unavailable;
    throw new MasterUnreachableError(this.masters, failure);
  }

  /** Sends a JSON call and parses its answer. */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    idempotent = method === "GET",
  ): Promise<T> {
    const res = await this.call(method, path, {
      idempotent,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), contentType: "application/json" }),
    });
    return await res.body.json() as T;
  }

  /** Closes the pooled connections. */
  close(): Promise<void> {
    return this.agent.close();
  }

  private send(method: string, url: string, o: CallOptions): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...o.headers };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (o.contentType !== undefined) headers["content-type"] = o.contentType;
    if (o.stream) headers.accept = "text/event-stream";
    return request(url, {
      method: method as Dispatcher.HttpMethod,
      headers,
      body: o.body,
      dispatcher: this.agent,
      signal: o.signal,
      headersTimeout: this.requestMs,
      bodyTimeout: o.stream ? this.watchIdleMs : this.requestMs,
    });
  }

  /** Moves the master that answered to the front: the next call tries it first. */
  private promote(master: string): void {
    if (this.order[0] === master) return;
    this.order = [master, ...this.order.filter((m) => m !== master)];
  }

  private async refusal(
    method: string,
    path: string,
    res: Dispatcher.ResponseData,
  ): Promise<SpateHttpError> {
    const text = await res.body.text();
    let errors: string[] = [text];
    try {
      const body = JSON.parse(text) as { errors?: string[]; error?: string };
      errors = body.errors ?? (body.error === undefined ? [text] : [body.error]);
    } catch { /* not JSON: the text is the reason */ }
    const E = res.statusCode === 401 || res.statusCode === 403 ? SpateAuthError : SpateHttpError;
    return new E(method, path, res.statusCode, errors);
  }
}
