/**
 * The contract of ActorRefs, run against local refs (in-memory delivery) and
 * remote refs (HTTP/2 + CBOR frames): callers cannot tell them apart.
 * @module
 */

import assert from "node:assert/strict";
import { Actor, type ActorRef, AskTimeoutError } from "../../nodes/rpc/actor.ts";
import { ActorSystem } from "../../nodes/rpc/actor_system.ts";

type Msg =
  | { type: "add"; value: number }
  | { type: "list" }
  | { type: "slow"; ms: number }
  | { type: "boom" }
  | { type: "callback"; replyTo: ActorRef<{ type: "add"; value: number }>; value: number }
  | { type: "fenced"; fence?: string }
  | { type: "concurrency" };

/** Records what it receives; used as the target in every contract test. */
export class Recorder extends Actor<Msg> {
  received: number[] = [];
  active = 0;
  maxActive = 0;
  async receive(m: Msg): Promise<unknown> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      switch (m.type) {
        case "add":
          this.received.push(m.value);
          return this.received.length;
        case "list":
          return [...this.received];
        case "slow":
          await new Promise((r) => setTimeout(r, m.ms));
          return "slow done";
        case "boom":
          throw new TypeError("boom in receive");
        case "callback":
          m.replyTo.tell({ type: "add", value: m.value * 10 });
          return "sent";
        case "concurrency":
          return this.maxActive;
        default:
          return "ok";
      }
    } finally {
      this.active--;
    }
  }
}

class FencedRecorder extends Recorder {
  override fencingToken() {
    return "epoch-2";
  }
}

/** Connects a caller to a target system; returns a ref to `path` as the caller sees it. */
export interface RefHarness {
  target: ActorSystem;
  caller: ActorSystem;
  refTo<M>(path: string): ActorRef<M>;
  close(): Promise<void>;
}

export function actorRefContract(kind: string, makeHarness: () => Promise<RefHarness>): void {
  const test = (name: string, fn: (h: RefHarness) => Promise<void>) =>
    Deno.test(`${kind} ref: ${name}`, async () => {
      const h = await makeHarness();
      try {
        await fn(h);
      } finally {
        await h.close();
      }
    });

  test("tell delivers in order, ask answers", async (h) => {
    h.target.spawn("rec", () => new Recorder());
    const ref = h.refTo<Msg>("/user/rec");
    for (let i = 0; i < 200; i++) ref.tell({ type: "add", value: i });
    assert.deepEqual(await ref.ask({ type: "list" }), Array.from({ length: 200 }, (_, i) => i));
  });

  test("one message at a time, even with async handlers", async (h) => {
    h.target.spawn("rec", () => new Recorder());
    const ref = h.refTo<Msg>("/user/rec");
    await Promise.all([1, 2, 3, 4].map(() => ref.ask({ type: "slow", ms: 5 })));
    assert.equal(await ref.ask({ type: "concurrency" }), 1);
  });

  test("ask rejects with the actor's error, which keeps serving with its state", async (h) => {
    h.target.log = () => {};
    h.target.spawn("rec", () => new Recorder());
    const ref = h.refTo<Msg>("/user/rec");
    ref.tell({ type: "add", value: 1 });
    await assert.rejects(ref.ask({ type: "boom" }), /boom in receive/);
    // A root actor is resumed by the system: same instance, state kept.
    assert.deepEqual(await ref.ask({ type: "list" }), [1]);
  });

  test("ask times out", async (h) => {
    h.target.spawn("rec", () => new Recorder());
    const ref = h.refTo<Msg>("/user/rec");
    await assert.rejects(ref.ask({ type: "slow", ms: 500 }, 50), AskTimeoutError);
  });

  test("refs inside messages reach back to the caller", async (h) => {
    h.target.spawn("rec", () => new Recorder());
    const mine = h.caller.spawn("mine", () => new Recorder());
    const ref = h.refTo<Msg>("/user/rec");
    assert.equal(await ref.ask({ type: "callback", replyTo: mine, value: 4 }), "sent");
    const deadline = Date.now() + 5000;
    for (;;) {
      const got = await mine.ask({ type: "list" });
      if ((got as number[]).length === 1) {
        assert.deepEqual(got, [40]);
        break;
      }
      assert.ok(Date.now() < deadline, "callback never arrived");
      await new Promise((r) => setTimeout(r, 2));
    }
  });

  test("a leader-only actor rejects stale fencing tokens", async (h) => {
    h.target.spawn("leader", () => new FencedRecorder());
    const ref = h.refTo<Msg>("/user/leader");
    await assert.rejects(ref.ask({ type: "fenced", fence: "epoch-1" }), /fencing token epoch-1/);
    await assert.rejects(ref.ask({ type: "fenced" }), /fencing token \(none\)/);
    assert.equal(await ref.ask({ type: "fenced", fence: "epoch-2" }), "ok");
  });

  test("asking a missing actor fails", async (h) => {
    await assert.rejects(
      h.refTo<Msg>("/user/nobody").ask({ type: "list" }, 1000),
      /nobody|stopped/,
    );
  });
}
