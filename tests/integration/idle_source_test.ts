import assert from "node:assert/strict";
import { ownerOf } from "../../core/connectors/continuous_file_source.ts";
import { spawnCli } from "../_helpers/cli.ts";
import { waitFor } from "../_helpers/cluster.ts";
import { stopProcess } from "../_helpers/stop_process.ts";

/** Every line written under the text sink's directory `out`. */
function outputLines(out: string): string[] {
  try {
    return [...Deno.readDirSync(out)].flatMap((e) =>
      Deno.readTextFileSync(`${out}/${e.name}`).split("\n").filter((l) => l !== "")
    );
  } catch {
    return [];
  }
}

Deno.test({
  name:
    "a source subtask with no file does not hold back the watermark: windows fire while running",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const input = `${dir}/in`, out = `${dir}/out`;
    await Deno.mkdir(input);
    // One file, and it belongs to subtask 0: subtask 1 has nothing to read, ever.
    let name = "events-0.csv";
    for (let i = 1; ownerOf(`${input}/${name}`, 2) !== 0; i++) name = `events-${i}.csv`;
    const lines = [];
    for (let ts = 0; ts < 5_000; ts += 10) lines.push(`${ts},k${ts % 3}`);
    await Deno.writeTextFile(`${dir}/.${name}`, lines.join("\n") + "\n");
    await Deno.rename(`${dir}/.${name}`, `${input}/${name}`);
    const job = spawnCli([
      "run",
      "tests/_jobs/idle_file_windows.ts",
      "--local",
      "--",
      "--input",
      input,
      "--out",
      out,
    ]);
    try {
      // Event time reaches 4990 ms: the windows up to [3000, 4000) fire, with 100 events each.
      const counts = () => {
        const byStart = new Map<number, number>();
        for (const l of outputLines(out)) {
          const [, start, count] = l.split(",");
          byStart.set(Number(start), (byStart.get(Number(start)) ?? 0) + Number(count));
        }
        return byStart;
      };
      await waitFor("windows [0, 1000) to [3000, 4000) to fire", () => {
        const c = counts();
        return [0, 1000, 2000, 3000].every((start) => c.has(start) && c.get(start)! >= 100);
      }, 30_000);
      const c = counts();
      for (const start of [0, 1000, 2000, 3000]) assert.equal(c.get(start), 100);
      // [4000, 5000) waits for event time past 4999, which no event brings.
      assert.equal(c.has(4000), false);
    } finally {
      await stopProcess(job.child, 3_000);
      await Deno.remove(dir, { recursive: true });
    }
  },
});
