/**
 * writeAsText and FileSink on the embedded local cluster (real slot workers)
 * create the directories their output needs, as Flink's do: at parallelism
 * 1 (writeAsText: one file) and 2 (part files in a directory).
 */

import assert from "node:assert/strict";
import { runJobModule } from "../_helpers/run_job.ts";

const RECORDS = 100;

/** Every line of the files under `path` (or of the file `path`), and the file names. */
async function readOutput(path: string): Promise<{ files: string[]; lines: string[] }> {
  if ((await Deno.stat(path)).isFile) {
    return { files: [path], lines: (await Deno.readTextFile(path)).split("\n").filter(Boolean) };
  }
  const files: string[] = [];
  const lines: string[] = [];
  for await (const e of Deno.readDir(path)) {
    files.push(e.name);
    lines.push(...(await Deno.readTextFile(`${path}/${e.name}`)).split("\n").filter(Boolean));
  }
  return { files: files.sort(), lines };
}

const expected = Array.from({ length: RECORDS }, (_, i) => String(i + 1)).sort();

for (const sink of ["text", "file"]) {
  for (const parallelism of [1, 2]) {
    Deno.test(`${sink} sink at parallelism ${parallelism} creates missing parent directories`, async () => {
      const root = await Deno.makeTempDir({ prefix: "spate-sink-" });
      try {
        const output = `${root}/not/there/yet/out`;
        await runJobModule(
          "file_sinks.ts",
          ["--sink", sink, "--output", output, "--records", String(RECORDS)],
          { parallelism },
        );
        const { files, lines } = await readOutput(output);
        assert.deepEqual(lines.sort(), expected);
        if (sink === "text" && parallelism === 1) {
          assert.equal((await Deno.stat(output)).isFile, true, "one file at the path");
        } else if (sink === "text") {
          assert.deepEqual(files, ["part-0", "part-1"]);
        } else {
          const subtasks = new Set(files.map((f) => f.match(/^part-(\d+)-/)?.[1]));
          assert.deepEqual([...subtasks].sort(), parallelism === 1 ? ["0"] : ["0", "1"]);
        }
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    });
  }
}
