import assert from "node:assert/strict";
import { Actor } from "./actor.ts";
import { ActorSystem } from "./actor_system.ts";
import { typedAsk } from "./typed_ask.ts";

type Counter = { type: "add"; n: number } | { type: "read" };
interface CounterReplies {
  add: void;
  read: number;
}

class CounterActor extends Actor<Counter> {
  private total = 0;
  receive(m: Counter): unknown {
    if (m.type === "add") this.total += m.n;
    else return this.total;
  }
}

const askCounter = typedAsk<Counter, CounterReplies>();

Deno.test("a typed ask answers with the reply type of its message", async () => {
  const system = new ActorSystem("typed-ask", { verbose: false });
  try {
    const counter = system.spawn("counter", () => new CounterActor());
    await askCounter(counter, { type: "add", n: 2 });
    const total: number = await askCounter(counter, { type: "read" });
    assert.equal(total, 2);
    // @ts-expect-error the reply of "read" is a number
    const wrong: string = await askCounter(counter, { type: "read" });
    assert.equal(typeof wrong, "number");
  } finally {
    await system.shutdown();
  }
});
