import assert from "node:assert/strict";
import { type FollowedEntry, JobFollower, MAX_FOLLOWER_EVENTS } from "./job_follower.ts";
import type { ClientMessage } from "../protocol/client.ts";
import { ActorSystem } from "../rpc/actor_system.ts";

const status = (state: "RUNNING" | "CANCELED"): ClientMessage => ({
  type: "jobStatus",
  jobId: "j",
  jobName: "n",
  state,
  attempt: 1,
});

Deno.test("a follower replays its log after a subscriber's last entry, records in order", () => {
  const f = new JobFollower(3);
  f.receive(status("RUNNING"));
  f.receive({ type: "collect", collectId: 0, records: [1, 2] });
  f.receive({ type: "progress", jobId: "j", vertices: [] });
  f.receive({ type: "progress", jobId: "j", vertices: [] }); // replaces the one before
  f.receive({ type: "collect", collectId: 0, records: [3, 4] }); // one over the limit of 3
  const all: FollowedEntry[] = [];
  f.subscribe((e) => all.push(e));
  assert.deepEqual(all.map((e) => [e.seq, e.message.type]), [
    [1, "jobStatus"],
    [2, "collect"],
    [4, "progress"],
    [5, "collect"],
  ]);
  const later: number[] = [];
  f.subscribe((e) => later.push(e.seq), 4);
  assert.deepEqual(later, [5]);
  assert.deepEqual(f.records(), { 0: [1, 2, 3] });
  assert.equal(f.truncated, true);
});

Deno.test("a listening subscriber hears the records beyond the follower's bound", () => {
  const f = new JobFollower(1);
  const heard: unknown[] = [];
  f.subscribe((e) => e.message.type === "collect" && heard.push(...e.message.records));
  f.receive({ type: "collect", collectId: 0, records: [1, 2] });
  f.receive({ type: "collect", collectId: 0, records: [3] });
  assert.deepEqual(heard, [1, 2, 3]);
  assert.deepEqual(f.records(), { 0: [1] });
  const replayed: number[] = [];
  f.subscribe((e) => replayed.push(e.seq));
  assert.deepEqual(replayed, [1]);
});

Deno.test("a follower keeps its job's end beyond the event limit", () => {
  const f = new JobFollower(10);
  for (let i = 0; i <= MAX_FOLLOWER_EVENTS; i++) {
    f.receive({
      type: "checkpointCompleted",
      jobId: "j",
      checkpointId: i,
      kind: "checkpoint",
      durationMs: 1,
      stateSizeBytes: 0,
    });
  }
  f.receive(status("CANCELED"));
  let last: ClientMessage | undefined;
  f.subscribe((e) => last = e.message);
  assert.deepEqual(last, status("CANCELED"));
  assert.equal(f.ended, true);
});

Deno.test("a follower that stops (its master no longer leads) ends its subscribers' streams, not ended ones", async () => {
  const system = new ActorSystem("follower-test");
  let follower!: JobFollower;
  system.spawn("follower", () => follower = new JobFollower(10));
  const closed: string[] = [];
  follower.subscribe(() => {}, 0, () => closed.push("listening"));
  const unsubscribe = follower.subscribe(() => {}, 0, () => closed.push("gone"));
  unsubscribe();
  await system.shutdown();
  assert.deepEqual(closed, ["listening"]);
});
