/**
 * RemoteConnection: two actor systems joined by one duplex frame stream (an
 * HTTP/2 request body one way, its response body the other). Messages to
 * actors on the peer travel as `tell`/`ask` frames; ActorRefs inside messages
 * travel as `{ $ref, $sys }` and come out as refs on the receiving side.
 * @module
 */

import { type ActorRef, ActorStoppedError, AskTimeoutError, RemoteError } from "./actor.ts";
import type { ActorSystem } from "./actor_system.ts";
import { type Frame, FRAME_VERSION, FrameError, type FrameStream, readFrames } from "./frames.ts";

/** The peer went away; pending asks fail with this. */
export class ConnectionClosedError extends Error {
  override readonly name = "ConnectionClosedError";
}

const KNOWN_TYPES = new Set(["hello", "tell", "ask", "reply", "error"]);

/** A ref to an actor on the other side of a connection. */
export class RemoteActorRef<M = unknown> implements ActorRef<M> {
  constructor(private readonly conn: RemoteConnection, readonly path: string) {}
  get systemId(): string {
    return this.conn.peerId ?? "?";
  }
  tell(message: M): void {
    this.conn.send({
      v: FRAME_VERSION,
      t: "tell",
      to: this.path,
      msg: this.conn.encodeRefs(message),
    });
  }
  ask<R>(message: M, timeoutMs?: number): Promise<R> {
    return this.conn.ask(this.path, message, timeoutMs) as Promise<R>;
  }
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * What a peer may send on a connection: undefined to let a message (in its
 * wire form) to actor `to` from peer system `peerId` through, else why it is
 * refused (it never reaches the actor).
 */
export type InboundPolicy = (to: string, message: unknown, peerId: string) => string | undefined;

export class RemoteConnection {
  peerId: string | undefined;
  peerName: string | undefined;
  private nextAskId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private readonly helloListeners: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly system: ActorSystem,
    private readonly input: ReadableStream<Uint8Array>,
    private readonly output: FrameStream,
    private readonly maxFrameBytes: number,
    private readonly policy?: InboundPolicy,
    helloTimeoutMs?: number,
  ) {
    this.send({ v: FRAME_VERSION, t: "hello", sys: system.id, name: system.name });
    if (helloTimeoutMs !== undefined) this.expectHelloWithin(helloTimeoutMs);
    this.readLoop();
  }

  /** Closes the connection with an error unless the peer says hello within `ms`. */
  private expectHelloWithin(ms: number): void {
    const timer = setTimeout(() => {
      if (this.peerId !== undefined || this.closed) return;
      const message = `no hello within ${ms} ms`;
      this.system.log(`closing connection from an unknown peer: ${message}`);
      this.output.fail(message);
      this.close(`failed: ${message}`);
    }, ms);
    this.helloListeners.push(() => clearTimeout(timer));
    this.closeListeners.push(() => clearTimeout(timer));
  }

  /** A ref to `path` on the peer. */
  refFor<M>(path: string): ActorRef<M> {
    return new RemoteActorRef<M>(this, path);
  }

  /** Resolves once the peer said hello. */
  ready(): Promise<void> {
    if (this.peerId !== undefined) return Promise.resolve();
    if (this.closed) {
      return Promise.reject(new ConnectionClosedError("connection closed before hello"));
    }
    return new Promise((resolve, reject) => {
      this.helloListeners.push(resolve);
      this.onClose((reason) => reject(new ConnectionClosedError(reason)));
    });
  }

  onClose(listener: (reason: string) => void): void {
    if (this.closed) listener("closed");
    else this.closeListeners.push(listener);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(frame: Frame): void {
    if (!this.closed) this.output.write(frame);
  }

  ask(
    path: string,
    message: unknown,
    timeoutMs = this.system.settings.askTimeoutMs,
  ): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(new ConnectionClosedError(`connection to ${this.peerName} closed`));
    }
    const id = this.nextAskId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new AskTimeoutError(`ask to ${path} on ${this.peerName} timed out after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send({ v: FRAME_VERSION, t: "ask", id, to: path, msg: this.encodeRefs(message) });
    });
  }

  /** Closes the connection; pending asks fail. */
  close(reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    this.output.close();
    this.input.cancel().catch(() => {});
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ConnectionClosedError(`connection to ${this.peerName ?? "peer"} ${reason}`));
    }
    this.pending.clear();
    for (const l of this.closeListeners.splice(0)) l(reason);
  }

  private async readLoop(): Promise<void> {
    try {
      for await (const frame of readFrames(this.input, this.maxFrameBytes)) this.dispatch(frame);
      this.close("closed by peer");
    } catch (e) {
      const message = (e as Error).message;
      if (e instanceof FrameError) {
        this.system.log(`closing connection from ${this.peerName ?? "unknown peer"}: ${message}`);
        this.output.fail(message);
      }
      this.close(`failed: ${message}`);
    }
  }

  private dispatch(f: Frame): void {
    if (!KNOWN_TYPES.has(f.t)) throw new FrameError(`unknown frame type '${f.t}'`);
    if (f.t === "hello") {
      if (typeof f.sys !== "string") throw new FrameError("hello without a system id");
      this.peerId = f.sys;
      this.peerName = String(f.name ?? f.sys);
      for (const l of this.helloListeners.splice(0)) l();
      return;
    }
    if (this.peerId === undefined) throw new FrameError(`'${f.t}' before hello`);
    switch (f.t) {
      case "tell":
        if (this.refusal(f) === undefined) this.target(f)?.tell(this.decodeRefs(f.msg));
        return;
      case "ask":
        this.answer(f);
        return;
      case "reply":
        this.settle(f);
        return;
      case "error":
        throw new FrameError(`peer reported: ${String(f.message)}`);
    }
  }

  /** Why the policy refuses frame `f` (logged), or undefined. */
  private refusal(f: Frame): string | undefined {
    if (this.policy === undefined) return undefined;
    const reason = this.policy(String(f.to), f.msg, this.peerId!);
    if (reason !== undefined) {
      this.system.log(`refused a message to ${String(f.to)} from ${this.peerName}: ${reason}`);
    }
    return reason;
  }

  private target(f: Frame): ActorRef | undefined {
    if (typeof f.to !== "string") throw new FrameError(`'${f.t}' without a target path`);
    const ref = this.system.resolve(f.to);
    if (ref === undefined) {
      this.system.log(`dead letter: no actor ${f.to} for a message from ${this.peerName}`);
    }
    return ref;
  }

  private answer(f: Frame): void {
    if (typeof f.id !== "number") throw new FrameError("ask without a numeric id");
    const id = f.id;
    const ref = this.target(f);
    const reply = (ok: boolean, value: unknown) =>
      this.send({ v: FRAME_VERSION, t: "reply", id, ok, value });
    const refused = this.refusal(f);
    if (refused !== undefined) {
      reply(false, { name: "PermissionDeniedError", message: refused });
      return;
    }
    if (ref === undefined) {
      reply(false, { name: "ActorStoppedError", message: `no actor ${String(f.to)}` });
      return;
    }
    let msg: unknown;
    try {
      msg = this.decodeRefs(f.msg);
    } catch (e) {
      reply(false, { name: "Error", message: (e as Error).message });
      return;
    }
    ref.ask(msg).then(
      (v) => reply(true, this.encodeRefs(v)),
      (e: Error) => reply(false, { name: e.name, message: e.message, stack: e.stack }),
    );
  }

  private settle(f: Frame): void {
    const p = typeof f.id === "number" ? this.pending.get(f.id) : undefined;
    if (p === undefined) return; // answered after its timeout
    this.pending.delete(f.id as number);
    clearTimeout(p.timer);
    if (f.ok === true) {
      p.resolve(this.decodeRefs(f.value));
    } else {
      const e = (f.value ?? {}) as { name?: string; message?: string; stack?: string };
      const error = e.name === "ActorStoppedError"
        ? new ActorStoppedError(String(e.message))
        : new RemoteError(String(e.name ?? "Error"), String(e.message ?? "remote error"), e.stack);
      p.reject(error);
    }
  }

  /** Replaces ActorRefs in a message with their wire form. */
  encodeRefs(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if (value instanceof Uint8Array) return value;
    if (isRef(value)) return { $ref: value.path, $sys: value.systemId };
    if (Array.isArray(value)) return value.map((v) => this.encodeRefs(v));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.encodeRefs(v);
    return out;
  }

  /** Turns wire refs back into refs: local ones, or remote ones on this connection. */
  decodeRefs(value: unknown): unknown {
    if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
    if (Array.isArray(value)) return value.map((v) => this.decodeRefs(v));
    const obj = value as Record<string, unknown>;
    if (typeof obj.$ref === "string" && typeof obj.$sys === "string") {
      if (obj.$sys === this.system.id) {
        return this.system.resolve(obj.$ref) ?? deadRef(obj.$ref, this.system.id);
      }
      if (obj.$sys === this.peerId) return this.refFor(obj.$ref);
      throw new Error(`a ref to ${obj.$ref} in a third system cannot cross this connection`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) out[k] = this.decodeRefs(v);
    return out;
  }
}

function isRef(v: object): v is ActorRef {
  const r = v as ActorRef;
  return typeof r.tell === "function" && typeof r.ask === "function" && typeof r.path === "string";
}

function deadRef(path: string, systemId: string): ActorRef {
  return {
    path,
    systemId,
    tell() {},
    ask: () => Promise.reject(new ActorStoppedError(`actor ${path} is stopped`)),
  };
}
