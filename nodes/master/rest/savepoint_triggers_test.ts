import assert from "node:assert/strict";
import { SavepointTriggers } from "./savepoint_triggers.ts";

Deno.test("SavepointTriggers: IN_PROGRESS, then COMPLETED with a location or a failure", async () => {
  const triggers = new SavepointTriggers();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => finish = resolve);
  const ok = triggers.start("j1", async () => {
    await done;
    return { location: "/sp/savepoint-j1-0" };
  });
  const failed = triggers.start("j1", () => Promise.reject(new Error("declined by task 3")));
  assert.deepEqual(triggers.status("j1", ok), { status: "IN_PROGRESS" });
  assert.equal(triggers.status("j2", ok), undefined, "a trigger belongs to its job");
  assert.equal(triggers.status("j1", "nope"), undefined);
  finish();
  await done;
  await Promise.resolve();
  assert.deepEqual(triggers.status("j1", ok), {
    status: "COMPLETED",
    location: "/sp/savepoint-j1-0",
  });
  assert.deepEqual(triggers.status("j1", failed), {
    status: "COMPLETED",
    failure: "declined by task 3",
  });
});

Deno.test("SavepointTriggers: bounded, the oldest completed trigger goes first", async () => {
  const triggers = new SavepointTriggers(2);
  const never = () => new Promise<{ location: string }>(() => {});
  const pending = triggers.start("j", never);
  const completed = triggers.start("j", () => Promise.resolve({ location: "/x" }));
  await Promise.resolve();
  const third = triggers.start("j", never);
  assert.equal(triggers.status("j", completed), undefined);
  assert.deepEqual(triggers.status("j", pending), { status: "IN_PROGRESS" });
  assert.deepEqual(triggers.status("j", third), { status: "IN_PROGRESS" });
  assert.throws(() => new SavepointTriggers(0), /positive integer, got 0/);
});
