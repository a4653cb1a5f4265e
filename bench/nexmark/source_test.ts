import assert from "node:assert/strict";
import { setJobContext } from "../../core/datastream/execution_context.ts";
import { StreamExecutionEnvironment } from "../../core/datastream/stream_execution_environment.ts";
import type { SourceReader } from "../../core/connectors/source_reader.ts";
import { DEFAULT_NEXMARK_CONFIG, type NexmarkConfig, nexmarkEvent } from "./generator.ts";
import { eventTime, type NexmarkEvent } from "./model.ts";
import { nexmarkEvents, nexmarkSource, redistributeSequences } from "./source.ts";

const CONFIG: NexmarkConfig = { ...DEFAULT_NEXMARK_CONFIG, seed: 3, eventsPerSecond: 1000 };
const ALWAYS = { available: true };
const key = (e: NexmarkEvent) => JSON.stringify(e);
const expectedKeys = (count: number) =>
  Array.from({ length: count }, (_, n) => key(nexmarkEvent(n, CONFIG))).sort();

function openReaders(events: number, parallelism: number): SourceReader<NexmarkEvent>[] {
  return Array.from({ length: parallelism }, (_, subtaskIndex) => {
    const reader = nexmarkSource(events, CONFIG).createReader();
    reader.open({ operatorName: "Source: Nexmark", subtaskIndex, parallelism });
    return reader;
  });
}

/** Polls `reader` to its end (or `maxPolls` polls) into `out`, checking its timestamps never go back. */
function drain(
  reader: SourceReader<NexmarkEvent>,
  out: NexmarkEvent[],
  batch = 64,
  maxPolls = Infinity,
) {
  let last = -Infinity, more = true;
  for (let polls = 0; more && polls < maxPolls; polls++) {
    more = reader.pollNext(
      {
        collect(e) {
          assert.ok(eventTime(e) >= last, "timestamps of one subtask never go back");
          last = eventTime(e);
          out.push(e);
        },
      },
      ALWAYS,
      batch,
    ) as boolean;
  }
  return more;
}

Deno.test("subtask s of P emits events s, s + P, ...; together exactly events 0 .. N - 1", () => {
  for (const parallelism of [1, 2, 3]) {
    const all: NexmarkEvent[] = [];
    for (const [s, reader] of openReaders(1000, parallelism).entries()) {
      const mine: NexmarkEvent[] = [];
      assert.equal(drain(reader, mine), false);
      const own = Array.from(
        { length: Math.ceil((1000 - s) / parallelism) },
        (_, i) => s + i * parallelism,
      );
      assert.deepEqual(mine, own.map((n) => nexmarkEvent(n, CONFIG)));
      all.push(...mine);
    }
    assert.deepEqual(all.map(key).sort(), expectedKeys(1000), `parallelism ${parallelism}`);
  }
});

Deno.test("pollNext emits at most maxRecords and stops when the gate closes", () => {
  const [reader] = openReaders(1000, 1);
  const out: NexmarkEvent[] = [];
  assert.equal(reader.pollNext({ collect: (e) => out.push(e) }, ALWAYS, 7), true);
  assert.equal(out.length, 7);
  const gate = { available: true };
  reader.pollNext(
    {
      collect(e) {
        out.push(e);
        if (out.length === 10) gate.available = false;
      },
    },
    gate,
    100,
  );
  assert.equal(out.length, 10);
  assert.deepEqual(out, Array.from({ length: 10 }, (_, n) => nexmarkEvent(n, CONFIG)));
});

/** Runs `events` at parallelism p[0], snapshotting after `polls` polls, then restores at p[1], ... */
function runWithRestores(events: number, parallelisms: number[], polls: number): NexmarkEvent[] {
  const out: NexmarkEvent[] = [];
  let states: unknown[] | undefined;
  for (const [round, parallelism] of parallelisms.entries()) {
    const readers = openReaders(events, parallelism);
    if (states !== undefined) { for (const r of readers) r.restoreState!(states); }
    const last = round === parallelisms.length - 1;
    // Subtasks stop at different points: subtask i polls (i + 1) * polls times.
    readers.forEach((r, i) => drain(r, out, 16, last ? Infinity : (i + 1) * polls));
    states = readers.map((r) => structuredClone(r.snapshotState!(1)));
  }
  return out;
}

Deno.test("a restored source at the same or another parallelism loses and repeats nothing", () => {
  for (const parallelisms of [[2, 2], [2, 3], [3, 2], [1, 3], [3, 1], [2, 3, 2, 5, 1]]) {
    const out = runWithRestores(1000, parallelisms, 3);
    assert.deepEqual(out.map(key).sort(), expectedKeys(1000), `parallelisms ${parallelisms}`);
  }
});

Deno.test("sequences split and deal out evenly and completely", () => {
  const emitted = (seqs: [number, number][], below: number) =>
    seqs.flatMap(([next, stride]) => {
      const ns: number[] = [];
      for (let n = next; n < below; n += stride) ns.push(n);
      return ns;
    });
  const before: [number, number][] = [[4, 2], [9, 2]];
  const parts = [0, 1, 2].map((i) => redistributeSequences(before, 3, i));
  assert.deepEqual(parts.map((p) => p.length), [2, 2, 2]);
  assert.deepEqual(
    emitted(parts.flat(), 100).sort((a, b) => a - b),
    emitted(before, 100).sort((a, b) => a - b),
  );
  assert.deepEqual(redistributeSequences([], 4, 1), []);
});

Deno.test("an unbounded source runs on and resumes from its position", () => {
  const spec = nexmarkSource(Infinity, CONFIG);
  assert.equal(spec.bounded, false);
  const [a, b] = openReaders(Infinity, 2).map((r, i) => {
    assert.equal(drain(r, [], 10, i + 1), true);
    return r.snapshotState!(1);
  });
  const [reader] = openReaders(Infinity, 1);
  reader.restoreState!([a, b]);
  const out: NexmarkEvent[] = [];
  reader.pollNext({ collect: (e) => out.push(e) }, ALWAYS, 4);
  // Subtask 0 emitted 0..18 (evens), subtask 1 emitted 1..39 (odds): next are 20, 22, 24, 26.
  assert.deepEqual(out, [20, 22, 24, 26].map((n) => nexmarkEvent(n, CONFIG)));
});

Deno.test("a state the source did not write is refused with what it got", () => {
  const [reader] = openReaders(10, 1);
  assert.throws(
    () => reader.restoreState!([[[1, 0]]]),
    /subtask 0 is not a list of \[next, stride\]/,
  );
  assert.throws(() => nexmarkSource(-1), /integer >= 0 or Infinity, got -1/);
});

Deno.test("nexmarkEvents is the named source with a uid, then timestamps and watermarks", () => {
  setJobContext({
    mode: "plan",
    args: [],
    jobModuleUrl: "file:///job.ts",
    defaults: { parallelism: 2 },
  });
  const env = StreamExecutionEnvironment.getExecutionEnvironment();
  nexmarkEvents(env, 100, CONFIG).print();
  const nodes = env.buildPlan("nexmark").streamGraph.nodes;
  const source = nodes.find((n) => n.kind === "source")!;
  assert.equal(source.name, "Source: Nexmark");
  assert.equal(source.uid, "nexmark-source");
  assert.equal(source.source!.bounded, true);
  assert.equal(
    nodes.find((n) => n.id === source.outEdges[0].target)!.name,
    "Timestamps/Watermarks",
  );
});
