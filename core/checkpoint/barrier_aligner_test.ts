import assert from "node:assert/strict";
import { type AlignerEffect, type AlignmentMode, BarrierAligner } from "./barrier_aligner.ts";

/** One event fed to the aligner, as data. */
type Event =
  | readonly ["barrier", number, number, number] // channel, checkpoint id, now
  | readonly ["savepoint", number, number, number] // channel, checkpoint id, now
  | readonly ["buffer", number] // channel
  | readonly ["end", number, number] // channel, now
  | readonly ["cancel", number, number]; // channel, checkpoint id

/** Effects as short strings, so a script reads as a table. */
function show(e: AlignerEffect): string {
  switch (e.type) {
    case "forwardBarrier":
      return `forward ${e.checkpointId}`;
    case "triggerSnapshot":
      return `snapshot ${e.checkpointId} (aligned ${e.alignmentDurationMs} ms)`;
    case "block":
      return `block ${e.channel}`;
    case "unblockAll":
      return "unblockAll";
    case "abort":
      return `abort ${e.checkpointId}`;
    case "persistInFlight":
      return `persist ${e.checkpointId} ch${e.channel}`;
    case "inFlightComplete":
      return `inFlightComplete ${e.checkpointId} (${e.durationMs} ms)`;
  }
}

function apply(a: BarrierAligner, e: Event): string[] {
  switch (e[0]) {
    case "barrier":
    case "savepoint":
      return a.onBarrier(e[1], { id: e[2], timestampMs: 0, savepoint: e[0] === "savepoint" }, e[3])
        .map(show);
    case "buffer": {
      const verdict = a.onBuffer(e[1]);
      return [...(verdict.hold ? ["hold"] : []), ...verdict.effects.map(show)];
    }
    case "end":
      return a.onEndOfPartition(e[1], e[2]).map(show);
    case "cancel":
      return a.onCancelCheckpoint(e[1], e[2]).map(show);
  }
}

/** Feeds each event to a fresh aligner and checks the effects it returns. */
function script(channels: number, mode: AlignmentMode, steps: [Event, string[]][]): void {
  const a = new BarrierAligner(channels, mode);
  for (const [event, expected] of steps) {
    assert.deepEqual(apply(a, event), expected, `after ${JSON.stringify(event)}`);
  }
}

const ALIGNED_1 = ["forward 1", "snapshot 1 (aligned 50 ms)", "unblockAll"];

Deno.test("aligned: each barrier blocks its channel until the last one arrives", () => {
  script(3, "exactly_once", [
    [["barrier", 0, 1, 100], ["block 0"]],
    [["buffer", 0], ["hold"]],
    [["buffer", 1], []],
    [["barrier", 2, 1, 110], ["block 2"]],
    [["buffer", 2], ["hold"]],
    [["buffer", 1], []],
    [["barrier", 1, 1, 150], ALIGNED_1],
    [["buffer", 0], []],
    [["buffer", 2], []],
  ]);
});

Deno.test("aligned: barriers arrive across channels in any order", () => {
  script(3, "exactly_once", [
    [["barrier", 2, 1, 100], ["block 2"]],
    [["barrier", 0, 1, 120], ["block 0"]],
    [["barrier", 0, 1, 130], []],
    [["barrier", 1, 1, 150], ALIGNED_1],
    [["barrier", 1, 2, 200], ["block 1"]],
    [["barrier", 2, 2, 210], ["block 2"]],
    [["barrier", 0, 2, 260], ["forward 2", "snapshot 2 (aligned 60 ms)", "unblockAll"]],
    [["barrier", 0, 2, 270], []],
  ]);
});

Deno.test("aligned: an ended channel needs no barrier, and its end can complete alignment", () => {
  script(3, "exactly_once", [
    [["barrier", 0, 1, 100], ["block 0"]],
    [["end", 2, 120], []],
    [["barrier", 1, 1, 150], ALIGNED_1],
    [["barrier", 0, 2, 200], ["block 0"]],
    [["end", 1, 250], ["forward 2", "snapshot 2 (aligned 50 ms)", "unblockAll"]],
    [["barrier", 0, 3, 300], ["forward 3", "snapshot 3 (aligned 0 ms)"]],
  ]);
});

Deno.test("aligned: a newer barrier aborts the older alignment and starts its own", () => {
  script(3, "exactly_once", [
    [["barrier", 0, 1, 100], ["block 0"]],
    [["barrier", 1, 2, 110], ["abort 1", "unblockAll", "block 1"]],
    [["buffer", 0], []],
    [["barrier", 2, 1, 120], []],
    [["barrier", 0, 2, 130], ["block 0"]],
    [["barrier", 2, 2, 160], ["forward 2", "snapshot 2 (aligned 50 ms)", "unblockAll"]],
    [["barrier", 1, 1, 170], []],
  ]);
});

Deno.test("at-least-once: nothing is blocked; the snapshot follows the last barrier", () => {
  script(3, "at_least_once", [
    [["barrier", 0, 1, 100], []],
    [["buffer", 0], []],
    [["barrier", 2, 1, 120], []],
    [["buffer", 2], []],
    [["barrier", 1, 1, 150], ["forward 1", "snapshot 1 (aligned 50 ms)"]],
    [["barrier", 0, 2, 200], []],
    [["end", 1, 210], []],
    [["end", 2, 230], ["forward 2", "snapshot 2 (aligned 30 ms)"]],
  ]);
});

Deno.test("unaligned: snapshot at the first barrier; buffers ahead of barriers persist", () => {
  script(3, "unaligned", [
    [["buffer", 1], []],
    [["barrier", 0, 1, 100], ["forward 1", "snapshot 1 (aligned 0 ms)"]],
    [["buffer", 0], []],
    [["buffer", 1], ["persist 1 ch1"]],
    [["buffer", 2], ["persist 1 ch2"]],
    [["barrier", 1, 1, 120], []],
    [["buffer", 1], []],
    [["buffer", 2], ["persist 1 ch2"]],
    [["barrier", 2, 1, 170], ["inFlightComplete 1 (70 ms)"]],
    [["buffer", 2], []],
  ]);
});

Deno.test("unaligned jobs align savepoints (portable: no in-flight data), then go on unaligned", () => {
  script(2, "unaligned", [
    [["savepoint", 0, 1, 100], ["block 0"]],
    [["buffer", 0], ["hold"]],
    [["buffer", 1], []],
    [["savepoint", 1, 1, 150], ["forward 1", "snapshot 1 (aligned 50 ms)", "unblockAll"]],
    [["barrier", 0, 2, 200], ["forward 2", "snapshot 2 (aligned 0 ms)"]],
    [["buffer", 1], ["persist 2 ch1"]],
  ]);
});

Deno.test("unaligned: a newer barrier or a cancel marker stops persisting the old one", () => {
  script(2, "unaligned", [
    [["barrier", 0, 1, 100], ["forward 1", "snapshot 1 (aligned 0 ms)"]],
    [["barrier", 0, 2, 110], ["abort 1", "forward 2", "snapshot 2 (aligned 0 ms)"]],
    [["buffer", 1], ["persist 2 ch1"]],
    [["cancel", 1, 2], ["abort 2"]],
    [["buffer", 1], []],
    [["barrier", 1, 2, 130], []],
  ]);
});

Deno.test("a single channel snapshots at its barrier without blocking", () => {
  script(1, "exactly_once", [[["barrier", 0, 1, 100], ["forward 1", "snapshot 1 (aligned 0 ms)"]]]);
  script(1, "unaligned", [
    [["barrier", 0, 1, 100], [
      "forward 1",
      "snapshot 1 (aligned 0 ms)",
      "inFlightComplete 1 (0 ms)",
    ]],
  ]);
});

Deno.test("cancel markers abort the alignment; its late barriers are ignored", () => {
  script(3, "exactly_once", [
    [["barrier", 0, 1, 100], ["block 0"]],
    [["cancel", 1, 1], ["abort 1", "unblockAll"]],
    [["cancel", 2, 1], []],
    [["barrier", 2, 1, 120], []],
    [["cancel", 0, 3], ["abort 3"]],
    [["barrier", 1, 3, 130], []],
    [["barrier", 1, 2, 140], []],
    [["barrier", 1, 4, 150], ["block 1"]],
    [["cancel", 2, 5], ["abort 4", "unblockAll", "abort 5"]],
  ]);
});

Deno.test("completed checkpoints ignore late cancel markers; misuse fails loudly", () => {
  script(2, "exactly_once", [
    [["barrier", 0, 1, 100], ["block 0"]],
    [["barrier", 1, 1, 150], ALIGNED_1],
    [["cancel", 0, 1], []],
  ]);
  const a = new BarrierAligner(2, "exactly_once");
  a.onEndOfPartition(0, 0);
  assert.throws(
    () => a.onBarrier(0, { id: 1, timestampMs: 0, savepoint: false }, 0),
    /after its end/,
  );
  assert.throws(() => a.onBuffer(2), /channel 2 out of range/);
  assert.throws(() => new BarrierAligner(0, "unaligned"), RangeError);
});
