import assert from "node:assert/strict";
import { continuousFileSource } from "./continuous_file_source.ts";
import type { SourceReader } from "./source_reader.ts";
import { StreamExecutionEnvironment } from "../datastream/stream_execution_environment.ts";
import { setJobContext } from "../datastream/execution_context.ts";

/** Writes a file whole: under a hidden name first, then renamed into place. */
async function drop(dir: string, name: string, text: string): Promise<void> {
  await Deno.writeTextFile(`${dir}/.${name}.tmp`, text);
  await Deno.rename(`${dir}/.${name}.tmp`, `${dir}/${name}`);
}

async function openReaders(dir: string, parallelism: number, states?: unknown[]) {
  const readers: SourceReader<string>[] = [];
  for (let i = 0; i < parallelism; i++) {
    const r = continuousFileSource(dir, { intervalMs: 10 }).createReader();
    await r.open({ operatorName: "src", subtaskIndex: i, parallelism });
    if (states !== undefined) r.restoreState!(states);
    readers.push(r);
  }
  return readers;
}

/** Polls every reader (at most `max` records per poll) until `until` holds. */
async function pollUntil(
  readers: SourceReader<string>[],
  out: string[],
  until: () => boolean,
  max = 1000,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  const output = { collect: (l: string) => out.push(l) };
  while (!until()) {
    if (Date.now() > deadline) throw new Error(`timed out with ${out.length} lines`);
    for (const r of readers) assert.equal(await r.pollNext(output, { available: true }, max), true);
  }
}

const fileLines = (f: number, n: number) => Array.from({ length: n }, (_, i) => `f${f} line ${i}`);

Deno.test("files that appear later are read once each, at any parallelism", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await drop(dir, "a.txt", fileLines(0, 100).join("\n") + "\n");
    const readers = await openReaders(dir, 3);
    const out: string[] = [];
    await pollUntil(readers, out, () => out.length >= 100);
    await drop(dir, "b.txt", fileLines(1, 50).join("\r\n"));
    await Deno.mkdir(`${dir}/sub`);
    await drop(`${dir}/sub`, "c.txt", fileLines(2, 70_000).join("\n") + "\n");
    const expected = [...fileLines(0, 100), ...fileLines(1, 50), ...fileLines(2, 70_000)];
    await pollUntil(readers, out, () => out.length >= expected.length);
    // A few more scans: nothing is read again.
    for (let i = 0; i < 5; i++) await pollUntil(readers, out, () => true);
    assert.deepEqual(out.sort(), expected.sort());
    for (const r of readers) await r.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a restore from a checkpoint neither re-reads nor skips, at another parallelism", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Big files (several read chunks each) so the checkpoint falls inside one.
    const expected: string[] = [];
    for (let f = 0; f < 4; f++) {
      const lines = fileLines(f, 90_000);
      expected.push(...lines);
      await drop(dir, `f${f}.txt`, lines.join("\n") + "\n");
    }
    const first = await openReaders(dir, 2);
    const before: string[] = [];
    await pollUntil(first, before, () => before.length >= 150_000, 777);
    const states = first.map((r) => r.snapshotState!(1));
    for (const r of first) await r.close();
    // Lines emitted after the checkpoint are lost with the failed run: the restore replays them.
    const second = await openReaders(dir, 3, states);
    const after: string[] = [];
    await pollUntil(second, after, () => before.length + after.length >= expected.length, 777);
    for (let i = 0; i < 5; i++) await pollUntil(second, after, () => true);
    const all = [...before, ...after].sort();
    assert.equal(all.length, expected.length);
    assert.deepEqual(all, expected.sort());
    for (const r of second) await r.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a missing directory is named in the error; a bad interval is refused", async () => {
  const reader = continuousFileSource("/no/such/dir").createReader();
  await assert.rejects(
    async () => await reader.open({ operatorName: "src", subtaskIndex: 0, parallelism: 1 }),
    /input path does not exist: \/no\/such\/dir/,
  );
  assert.throws(() => continuousFileSource("/tmp", { intervalMs: 0 }), /intervalMs must be/);
});

Deno.test("readTextFile: an interval without continuous mode is refused; continuous mode is unbounded", () => {
  setJobContext({ mode: "plan", args: [], jobModuleUrl: "file:///job.ts", defaults: {} });
  try {
    const env = StreamExecutionEnvironment.getExecutionEnvironment();
    assert.throws(
      () => env.readTextFile("/tmp", { intervalMs: 5 }),
      /intervalMs applies only with \{ continuous: true \}/,
    );
    const t = env.readTextFile("/tmp", { continuous: true }).transformation;
    assert.equal(t.kind === "source" && t.source.bounded, false);
  } finally {
    setJobContext(undefined);
  }
});
