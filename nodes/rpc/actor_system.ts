/**
 * ActorSystem: the actors of one process, addressed by path, each with its own
 * mailbox (ActorCell). Failures go to the parent's `supervise`, which restarts,
 * stops or escalates; root actors are supervised by the system (restart, up to
 * a limit). Delivery in the process is in memory.
 * @module
 */

import {
  type Actor,
  type ActorContext,
  type ActorRef,
  ActorStoppedError,
  AskTimeoutError,
  DeferredReply,
  type Directive,
  FencingTokenError,
} from "./actor.ts";
import { type LogFields, Logger } from "../../core/log/logger.ts";

/** Limits of an actor system. */
export interface ActorSystemSettings {
  /** Default time an ask waits for its answer. */
  readonly askTimeoutMs: number;
  /** A child failing more often than this within the window is stopped instead. */
  readonly maxRestarts: number;
  readonly restartWindowMs: number;
  /** Messages queued per mailbox before `tell`/`ask` are refused. */
  readonly mailboxCapacity: number;
  /** Informational lines (registrations, connections) at level info; else at debug. */
  readonly verbose: boolean;
}

export const DEFAULT_ACTOR_SETTINGS: ActorSystemSettings = {
  askTimeoutMs: 10_000,
  maxRestarts: 10,
  restartWindowMs: 60_000,
  mailboxCapacity: 100_000,
  verbose: true,
};

/** The first mail of every cell: runs preStart in mailbox order. */
const START = Symbol("start");

interface Envelope {
  readonly message: unknown;
  readonly resolve?: (v: unknown) => void;
  readonly reject?: (e: Error) => void;
}

class LocalActorRef<M> implements ActorRef<M> {
  constructor(private readonly cell: ActorCell) {}
  get path(): string {
    return this.cell.path;
  }
  get systemId(): string {
    return this.cell.system.id;
  }
  tell(message: M): void {
    this.cell.enqueue({ message });
  }
  ask<R>(message: M, timeoutMs = this.cell.system.settings.askTimeoutMs): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AskTimeoutError(`ask to ${this.path} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.cell.enqueue({
        message,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as R);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }
}

/** One actor: its instance, mailbox, children and supervision state. */
class ActorCell {
  readonly ref: LocalActorRef<unknown>;
  readonly children = new Map<string, ActorCell>();
  private actor: Actor<unknown> | undefined;
  private readonly mailbox: Envelope[] = [];
  private running = false;
  private stopped = false;
  private restarts: number[] = [];

  constructor(
    readonly system: ActorSystem,
    readonly path: string,
    private readonly factory: () => Actor<unknown>,
    readonly parent: ActorCell | undefined,
  ) {
    this.ref = new LocalActorRef(this);
  }

  async start(): Promise<void> {
    this.actor = this.factory();
    this.actor.context = this.context();
    await this.actor.preStart();
  }

  enqueue(e: Envelope): void {
    if (this.stopped) {
      e.reject?.(new ActorStoppedError(`actor ${this.path} is stopped`));
      return;
    }
    if (this.mailbox.length >= this.system.settings.mailboxCapacity) {
      e.reject?.(new Error(`mailbox of ${this.path} is full (${this.mailbox.length} messages)`));
      return;
    }
    this.mailbox.push(e);
    if (!this.running) this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.mailbox.length > 0 && !this.stopped) {
      const e = this.mailbox.shift()!;
      try {
        // Start is queued like a message: nothing is handled before preStart ends.
        if (e.message === START) {
          await this.start();
          continue;
        }
        this.checkFence(e.message);
        // (not `e.resolve?.(await ...)`: an optional call skips its arguments)
        const result = await this.actor!.receive(e.message);
        if (result instanceof DeferredReply) {
          result.promise.then((v) => e.resolve?.(v), (err) => e.reject?.(err));
        } else {
          e.resolve?.(result);
        }
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        e.reject?.(error);
        if (!(error instanceof FencingTokenError)) await this.fail(error);
      }
    }
    this.running = false;
  }

  private checkFence(message: unknown): void {
    const token = this.actor!.fencingToken();
    if (token === undefined) return;
    const fence = (message as { fence?: string } | null)?.fence;
    if (fence !== token) {
      throw new FencingTokenError(
        `${this.path} rejects a message with fencing token ${
          fence ?? "(none)"
        }; current is ${token}`,
      );
    }
  }

  /** This actor's receive threw: ask the parent (or the system) what to do. */
  async fail(error: Error): Promise<void> {
    const directive: Directive = this.parent
      ? this.parent.actor!.supervise(this.ref, error)
      : this.system.onRootFailure(this.path, error);
    const now = Date.now();
    const window = this.system.settings.restartWindowMs;
    this.restarts = this.restarts.filter((t) => now - t < window);
    if (directive === "resume") return;
    if (directive === "restart" && this.restarts.length < this.system.settings.maxRestarts) {
      this.restarts.push(now);
      await this.restart();
    } else if (directive === "escalate" && this.parent) {
      await this.stop();
      await this.parent.fail(error);
    } else {
      await this.stop();
    }
  }

  private async restart(): Promise<void> {
    for (const child of [...this.children.values()]) await child.stop();
    try {
      await this.actor?.postStop();
    } catch { /* the old instance is discarded either way */ }
    this.actor = undefined;
    this.mailbox.unshift({ message: START });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of [...this.children.values()]) await child.stop();
    for (const e of this.mailbox.splice(0)) {
      e.reject?.(new ActorStoppedError(`actor ${this.path} stopped`));
    }
    this.parent?.children.delete(this.path);
    this.system.unregister(this.path);
    try {
      await this.actor?.postStop();
    } catch (e) {
      this.system.log(`postStop of ${this.path} failed: ${(e as Error).message}`);
    }
  }

  private context(): ActorContext {
    return {
      self: this.ref,
      parent: this.parent?.ref,
      system: this.system,
      spawn: <C>(name: string, factory: () => Actor<C>) =>
        this.system.spawnIn(this, name, factory as () => Actor<unknown>) as ActorRef<C>,
      stop: (child?: ActorRef) => {
        const cell = child ? this.children.get(child.path) : this;
        cell?.stop();
      },
    };
  }
}

/**
 * The actors of one process.
 *
 * @example
 * ```ts
 * import { Actor } from "./actor.ts";
 * import { ActorSystem } from "./actor_system.ts";
 * class Echo extends Actor<string> {
 *   receive(m: string) {
 *     return m.toUpperCase();
 *   }
 * }
 * const system = new ActorSystem("demo");
 * const echo = system.spawn("echo", () => new Echo());
 * await echo.ask("hi"); // "HI"
 * ```
 */
export class ActorSystem {
  readonly id = crypto.randomUUID();
  readonly settings: ActorSystemSettings;
  private readonly cells = new Map<string, ActorCell>();
  /** Its lines: `[name] ...` as text. */
  readonly logger: Logger;

  constructor(readonly name: string, settings: Partial<ActorSystemSettings> = {}) {
    this.settings = { ...DEFAULT_ACTOR_SETTINGS, ...settings };
    this.logger = new Logger(name);
  }

  /** Starts a root actor at `/user/<name>`. */
  spawn<M>(name: string, factory: () => Actor<M>): ActorRef<M> {
    return this.spawnIn(undefined, name, factory as () => Actor<unknown>) as ActorRef<M>;
  }

  /** @internal */
  spawnIn(parent: ActorCell | undefined, name: string, factory: () => Actor<unknown>): ActorRef {
    if (!/^[\w.-]+$/.test(name)) throw new Error(`invalid actor name '${name}'`);
    const path = `${parent ? parent.path : "/user"}/${name}`;
    if (this.cells.has(path)) throw new Error(`an actor ${path} already exists`);
    const cell = new ActorCell(this, path, factory, parent);
    this.cells.set(path, cell);
    parent?.children.set(path, cell);
    // preStart runs as the cell's first piece of work; messages queue behind it.
    cell.enqueue({ message: START });
    return cell.ref;
  }

  /** A ref to a local actor by path, if it exists. */
  resolve(path: string): ActorRef | undefined {
    return this.cells.get(path)?.ref;
  }

  /** Stops a local actor (and its children). */
  async stop(ref: ActorRef): Promise<void> {
    await this.cells.get(ref.path)?.stop();
  }

  /** Stops every actor. */
  async shutdown(): Promise<void> {
    for (const cell of [...this.cells.values()]) if (!cell.parent) await cell.stop();
  }

  /** @internal */
  unregister(path: string): void {
    this.cells.delete(path);
  }

  /**
   * Supervision of root actors (the long-lived services): log and resume, so
   * one bad message does not cost the service its state.
   */
  onRootFailure(path: string, error: Error): Directive {
    this.logger.error(`actor ${path} failed on a message (resumed)`, { error });
    return "resume";
  }

  /** An error or warning line (with `fields`: the job it is about, an error, extra fields). */
  log(line: string, fields?: LogFields): void {
    this.logger.warn(line, fields);
  }

  /** An informational line: at level info when the system is verbose, else at debug. */
  info(line: string, fields?: LogFields): void {
    this.logger.log(this.settings.verbose ? "info" : "debug", line, fields);
  }
}
