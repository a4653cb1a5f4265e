import assert from "node:assert/strict";
import { actorRefContract } from "../../tests/_suites/actor_ref_contract.ts";
import { Actor, type ActorRef, ActorStoppedError } from "./actor.ts";
import { ActorSystem } from "./actor_system.ts";
import { acceptConnection, dialConnection, RPC_CONNECT_PATH } from "./transport_http2.ts";
import type { RemoteConnection } from "./remote_connection.ts";

/** An actor that never gets a message: it only holds a path until it is stopped. */
class Placeholder extends Actor<never> {
  receive(): void {}
}

actorRefContract("local", async () => {
  const system = new ActorSystem("local", { askTimeoutMs: 2000 });
  // A local ref outlives its actor: the real ref of an actor stopped at `path`
  // is what a caller holds for a missing one (resolve() has none to give).
  const stopped = new Map<string, ActorRef>();
  for (const path of ["/user/nobody"]) {
    const ref = system.spawn(path.slice("/user/".length), () => new Placeholder());
    await system.stop(ref);
    stopped.set(path, ref);
  }
  return {
    target: system,
    caller: system,
    refTo: (path) => {
      const ref = system.resolve(path) ?? stopped.get(path);
      if (ref === undefined) throw new Error(`the local harness has no ref for ${path}`);
      return ref as ActorRef<never>;
    },
    close: () => system.shutdown(),
  };
});

actorRefContract("remote (HTTP/2)", async () => {
  const target = new ActorSystem("target", { askTimeoutMs: 2000 });
  const caller = new ActorSystem("caller", { askTimeoutMs: 2000 });
  const accepted: RemoteConnection[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    if (new URL(req.url).pathname === RPC_CONNECT_PATH) {
      return acceptConnection(req, target, (c) => accepted.push(c));
    }
    return new Response("not found", { status: 404 });
  });
  const conn = await dialConnection(`http://127.0.0.1:${server.addr.port}`, caller);
  return {
    target,
    caller,
    refTo: (path) => conn.refFor(path),
    close: async () => {
      conn.close();
      for (const c of accepted) c.close();
      await Promise.all([target.shutdown(), caller.shutdown()]);
      await server.shutdown();
    },
  };
});

class Child extends Actor<string> {
  static starts = 0;
  override preStart() {
    Child.starts++;
  }
  receive(m: string) {
    if (m === "fail") throw new Error("child failed");
    return "alive";
  }
}

class Parent extends Actor<string> {
  child!: ActorRef<string>;
  constructor(private readonly directive: "resume" | "restart" | "stop" | "escalate") {
    super();
  }
  override preStart() {
    this.child = this.context.spawn("child", () => new Child());
  }
  override supervise() {
    return this.directive;
  }
  receive(m: string) {
    return m === "child" ? this.child : "parent alive";
  }
}

Deno.test("supervision: restart, stop and escalate", async () => {
  const system = new ActorSystem("sup");
  system.log = () => {};
  for (const directive of ["resume", "restart", "stop", "escalate"] as const) {
    Child.starts = 0;
    const parent = system.spawn(`p-${directive}`, () => new Parent(directive));
    const child = await parent.ask<ActorRef<string>>("child");
    await assert.rejects(child.ask("fail"), /child failed/);
    if (directive === "resume") {
      assert.equal(await child.ask("ping"), "alive");
      assert.equal(Child.starts, 1, "resumed: the same instance");
    } else if (directive === "restart") {
      assert.equal(await child.ask("ping"), "alive");
      assert.equal(Child.starts, 2);
    } else {
      await assert.rejects(child.ask("ping"), ActorStoppedError);
    }
    if (directive === "escalate") {
      // The parent failed in turn; the system resumed it.
      assert.equal(await parent.ask("x"), "parent alive");
    }
  }
  await system.shutdown();
});
