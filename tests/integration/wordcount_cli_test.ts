/**
 * WordCount through the CLI, as a subprocess, on a generated multilingual
 * corpus: parallelism 1, 2 and 4, chaining on and off, against counts computed
 * independently here.
 */

import assert from "node:assert/strict";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";
import { runCli, wordcount } from "../_helpers/cli.ts";

const CORPUS_FILES = 3;
const BYTES_PER_FILE = 1_500_000;

Deno.test("wordcount CLI output equals an independent count", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "spate-wc-" });
  try {
    const input = `${dir}/input`;
    await Deno.mkdir(input);
    await writeCorpus(input, CORPUS_FILES, BYTES_PER_FILE);
    let text = "";
    for (const e of [...Deno.readDirSync(input)]) {
      text += (await Deno.readTextFile(`${input}/${e.name}`)) + "\n";
    }
    const expected = referenceCounts(text);
    assert.ok(expected.size > 1000, "the corpus has many distinct words");
    assert.ok([...expected.keys()].some((w) => /[^\p{ASCII}]/u.test(w)), "and non-ASCII ones");

    for (const parallelism of [1, 2, 4]) {
      for (const chaining of [true, false]) {
        await t.step(
          `parallelism ${parallelism}, chaining ${chaining ? "on" : "off"}`,
          async () => {
            const output = `${dir}/out-${parallelism}-${chaining}`;
            const res = await runCli(
              wordcount([
                "--local",
                "-p",
                String(parallelism),
                ...(chaining ? [] : ["--disable-chaining"]),
              ], ["--input", input, "--output", output]),
            );
            assert.equal(res.code, 0, res.stderr);
            assert.match(res.stderr, /FINISHED in/);
            const got = await readCounts(output);
            assert.equal(got.size, expected.size);
            assert.deepEqual(got, expected);
            if (parallelism > 1) {
              const parts = [...Deno.readDirSync(output)].map((e) => e.name).sort();
              assert.deepEqual(parts, Array.from({ length: parallelism }, (_, i) => `part-${i}`));
            }
          },
        );
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the demo command prints the top words and a run summary", async () => {
  const res = await runCli(wordcount(["--local", "-p", "2"], ["--top", "5"]));
  assert.equal(res.code, 0, res.stderr);
  assert.match(
    res.stderr,
    /^running 'wordcount' in batch mode \(every source is bounded; --mode streaming for streaming semantics\)\n/,
  );
  assert.match(res.stdout, /Top 5 of \d+ distinct words:/);
  assert.match(res.stdout, /\d+ {2}the\n/);
  assert.match(res.stderr, /Job 'wordcount' \([0-9a-f]{32}\) FINISHED in [\d.]+ s on 2 slot/);
  assert.match(res.stderr, /Count -> Format -> Sink: Collect/);
});

Deno.test("print sink writes every word,count line to stdout", async () => {
  const res = await runCli(["run", "examples/wordcount.ts"]);
  assert.equal(res.code, 0, res.stderr);
  const sample = await Deno.readTextFile(
    new URL("../../examples/data/sample.txt", import.meta.url),
  );
  const expected = referenceCounts(sample);
  const lines = res.stdout.trim().split("\n");
  assert.equal(lines.length, expected.size);
  assert.ok(lines.includes(`alice,${expected.get("alice")}`));
});

Deno.test("spate run says which runtime mode it chose and why", async () => {
  for (
    const [flags, line] of [
      [["--checkpoint-interval", "1000"], "in streaming mode (checkpointing is on)"],
      [["--mode", "streaming"], "in streaming mode (as the job or --mode asks)"],
    ]
  ) {
    const res = await runCli(wordcount([...flags], ["--top", "1"]));
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr.split("\n")[0], `running 'wordcount' ${line}`);
  }
});
