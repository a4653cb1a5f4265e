/**
 * Actors: an actor owns its state, has one mailbox, handles one message at a
 * time in arrival order, and talks to others only through ActorRefs (`tell`,
 * `ask`). A ref is local or remote; callers cannot tell which.
 * @module
 */

import type { ActorSystem } from "./actor_system.ts";

/** Where messages to an actor go. */
export interface ActorRef<M = unknown> {
  /** The actor's path in its system, e.g. `/user/dispatcher`. */
  readonly path: string;
  /** Id of the actor system the actor lives in. */
  readonly systemId: string;
  /** Fire and forget. */
  tell(message: M): void;
  /** Request and reply: resolves with what `receive` returned, or rejects. */
  ask<R = unknown>(message: M, timeoutMs?: number): Promise<R>;
}

/**
 * What a parent decides when a child's `receive` throws: resume (drop the
 * message, keep the state), restart (a fresh instance), stop, or escalate.
 */
export type Directive = "resume" | "restart" | "stop" | "escalate";

/** What an actor sees of its surroundings. */
export interface ActorContext {
  readonly self: ActorRef;
  readonly parent: ActorRef | undefined;
  readonly system: ActorSystem;
  /** Starts a child supervised by this actor. */
  spawn<C>(name: string, factory: () => Actor<C>): ActorRef<C>;
  /** Stops a child (or, without argument, this actor). */
  stop(child?: ActorRef): void;
}

/** Base class of actors. */
export abstract class Actor<M = unknown> {
  /** Set by the system before `preStart`. */
  context!: ActorContext;

  /** Called once before the first message (again after a restart). */
  preStart(): void | Promise<void> {}
  /** Called when the actor stops (or before it restarts). */
  postStop(): void | Promise<void> {}
  /** Handles one message; the (awaited) result answers an `ask`. */
  abstract receive(message: M): unknown;
  /** Decides the fate of a failed child. Default: restart it. */
  supervise(_child: ActorRef, _error: Error): Directive {
    return "restart";
  }
  /**
   * The fencing token this actor demands, if it is leader-only: messages
   * whose `fence` differs are rejected (a deposed leader or a stale peer).
   */
  fencingToken(): string | undefined {
    return undefined;
  }
}

/**
 * Returned by `receive` to answer an ask later without blocking the mailbox:
 * the actor goes on with its next message, and the ask settles with `promise`.
 */
export class DeferredReply {
  constructor(readonly promise: Promise<unknown>) {}
}

/** Answers an ask with an error without failing the actor (a bad request, not a bug). */
export function replyError(error: Error): DeferredReply {
  return new DeferredReply(Promise.reject(error));
}

/** An ask got no answer in time. */
export class AskTimeoutError extends Error {
  override readonly name = "AskTimeoutError";
}
/** The target actor is stopped (or never existed). */
export class ActorStoppedError extends Error {
  override readonly name = "ActorStoppedError";
}
/** A leader-only message carried a stale or missing fencing token. */
export class FencingTokenError extends Error {
  override readonly name = "FencingTokenError";
}
/** An error raised by a remote actor, with its original name and stack. */
export class RemoteError extends Error {
  constructor(readonly remoteName: string, message: string, readonly remoteStack?: string) {
    super(message);
    this.name = remoteName;
    if (remoteStack) this.stack = remoteStack;
  }
}

/** A message with a fencing token. */
export interface Fenced {
  readonly fence?: string;
}
