import assert from "node:assert/strict";
import { textFileSource } from "./text_file_source.ts";
import { inputSplits, splitsForSubtask } from "./text_splits.ts";

async function readAll(path: string, parallelism: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < parallelism; i++) {
    const reader = textFileSource(path).createReader();
    await reader.open({ operatorName: "src", subtaskIndex: i, parallelism });
    const output = { collect: (l: string) => out.push(l) };
    while (await reader.pollNext(output, { available: true }, 1000));
    await reader.close();
  }
  return out;
}

Deno.test("every line is read exactly once at any parallelism and split size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    for (let i = 0; i < 60_000; i++) lines.push(`línea ${i} ${"ü".repeat(i % 50)}`);
    await Deno.writeTextFile(`${dir}/a.txt`, lines.join("\r\n") + "\r\n");
    await Deno.writeTextFile(`${dir}/b.txt`, "no trailing newline\nlast");
    const expected = [...lines, "no trailing newline", "last"].sort();
    for (const p of [1, 2, 3, 7]) {
      const got = (await readAll(dir, p)).sort();
      assert.deepEqual(got, expected, `parallelism ${p}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lines longer than a read (20 KB to 1.5 MB) across split ends are read exactly once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      const long = i % 7 === 0 ? 20_000 + i * 100 : i === 150 ? 1_500_000 : 10;
      lines.push(`${i} ${"x".repeat(long)}`);
    }
    await Deno.writeTextFile(`${dir}/long.txt`, lines.join("\n") + "\n");
    const expected = [...lines].sort();
    for (const p of [1, 2, 3, 7]) {
      const got = (await readAll(dir, p)).sort();
      assert.equal(got.length, expected.length, `parallelism ${p}`);
      // Compared line by line: a failed deepEqual would print megabytes.
      assert.ok(got.every((l, i) => l === expected[i]), `parallelism ${p}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("splits cover each file without gaps and balance bytes", () => {
  const files = [{ path: "a", size: 10_000_000 }, { path: "b", size: 100 }];
  const all = [0, 1, 2, 3].flatMap((i) => splitsForSubtask(inputSplits(files), 4, i));
  const a = all.filter((s) => s.path === "a").sort((x, y) => x.start - y.start);
  assert.equal(a[0].start, 0);
  for (let i = 1; i < a.length; i++) assert.equal(a[i].start, a[i - 1].end);
  assert.equal(a.at(-1)!.end, 10_000_000);
});

Deno.test("a missing input path is named in the error", async () => {
  const reader = textFileSource("/no/such/input.txt").createReader();
  await assert.rejects(
    async () => await reader.open({ operatorName: "src", subtaskIndex: 0, parallelism: 1 }),
    /input path does not exist: \/no\/such\/input.txt/,
  );
});

/** Reads every subtask with a snapshot after `cut` records, then resumes at `p2`. */
async function readWithRestore(
  path: string,
  p1: number,
  cut: number,
  p2: number,
): Promise<string[]> {
  const out: string[] = [];
  const states: unknown[] = [];
  for (let i = 0; i < p1; i++) {
    const reader = textFileSource(path).createReader();
    await reader.open({ operatorName: "src", subtaskIndex: i, parallelism: p1 });
    let n = 0;
    const gate = {
      get available() {
        return n < cut;
      },
    };
    const output = { collect: (l: string) => (n++, out.push(l)) };
    while (n < cut && await reader.pollNext(output, gate, 100));
    states.push(reader.snapshotState!(1));
    await reader.close();
  }
  for (let i = 0; i < p2; i++) {
    const reader = textFileSource(path).createReader();
    await reader.open({ operatorName: "src", subtaskIndex: i, parallelism: p2 });
    reader.restoreState!(states);
    const output = { collect: (l: string) => out.push(l) };
    while (await reader.pollNext(output, { available: true }, 1000));
    await reader.close();
  }
  return out;
}

Deno.test("a restored file source resumes exactly where it was, at any parallelism", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = Array.from({ length: 300_000 }, (_, i) => `line ${i} ${"x".repeat(i % 40)}`);
    await Deno.writeTextFile(`${dir}/a.txt`, lines.slice(0, 200_000).join("\n") + "\n");
    await Deno.writeTextFile(`${dir}/b.txt`, lines.slice(200_000).join("\n") + "\n");
    const expected = [...lines].sort();
    for (const [p1, cut, p2] of [[2, 5000, 2], [2, 70_000, 3], [3, 1, 1], [1, 250_000, 4]]) {
      const got = (await readWithRestore(dir, p1, cut, p2)).sort();
      assert.equal(got.length, expected.length, `p ${p1} -> ${p2} after ${cut}`);
      assert.deepEqual(got, expected);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("subtasks take every P-th split in order of position, so they read the input side by side", () => {
  const files = [{ path: "a", size: 6_000_000 }, { path: "b", size: 2_000_000 }];
  const all = inputSplits(files);
  // 8 MB in 64 splits: each subtask gets a split near the start of the input first.
  assert.equal(all.length, 64);
  const firsts = [0, 1, 2, 3].map((i) => splitsForSubtask(all, 4, i)[0]);
  assert.deepEqual(firsts.map((s) => [s.path, s.start]), [
    ["a", 0],
    ["a", all[1].start],
    ["a", all[2].start],
    ["a", all[3].start],
  ]);
  assert.equal(all[3].end, 500_000, "the first four splits are the first 6% of the input");
  // A small input is not cut below the minimum split size.
  assert.equal(inputSplits([{ path: "s", size: 100_000 }]).length, 2);
});

Deno.test("positions saved with other split sizes restore: the checkpoint's splits are kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
    const path = `${dir}/in.txt`;
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const size = (await Deno.stat(path)).size;
    // A checkpoint of an older layout: one split of the whole file, 1234 lines read.
    const states = [[[`${path}@0-${size}`, 1234]]];
    const out: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reader = textFileSource(path).createReader();
      await reader.open({ operatorName: "src", subtaskIndex: i, parallelism: 3 });
      reader.restoreState!(states);
      const output = { collect: (l: string) => out.push(l) };
      while (await reader.pollNext(output, { available: true }, 1000));
      await reader.close();
    }
    assert.deepEqual(out, lines.slice(1234));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
