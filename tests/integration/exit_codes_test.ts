/**
 * README's exit code table against behaviour: each documented code is
 * produced by a real `spate` run of the case the table names, and every
 * code spate uses is documented (and in the help).
 */

import assert from "node:assert/strict";
import { commandHelp } from "../../cli/usage.ts";
import { jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { freePort, waitFor } from "../_helpers/cluster.ts";

/** The codes of README's table whose header is `| Code | When |`. */
function documentedCodes(markdown: string): number[] {
  const codes: number[] = [];
  let inTable = false;
  for (const line of markdown.split("\n")) {
    const cells = line.trim().startsWith("|")
      ? line.trim().slice(1, -1).split("|").map((c) => c.trim())
      : undefined;
    if (cells === undefined) inTable = false;
    else if (cells[0] === "Code" && cells[1] === "When") inTable = true;
    else if (inTable && !cells[0].startsWith("---")) {
      const m = cells[0].match(/^`(\d+)`$/);
      assert.ok(m, `cannot read the code ${cells[0]}`);
      codes.push(Number(m[1]));
    }
  }
  return codes;
}

/** Runs `spate <args>`; its exit code. */
async function code(args: string[]): Promise<number> {
  const res = await runCli(args);
  return res.code;
}

/** A local run of a long job stopped with SIGINT once it runs; its exit code. */
async function interruptedRun(): Promise<number> {
  const dir = await Deno.makeTempDir({ prefix: "spate-exit-" });
  const run = spawnCli([
    "run",
    jobPath("slow_count.ts"),
    "--",
    "--records",
    "100000000",
    "--output",
    `${dir}/out`,
  ]);
  try {
    await waitFor("the job to run", () => /RUNNING/.test(run.stderr()));
    run.child.kill("SIGINT");
    return (await run.child.status).code;
  } finally {
    await run.stderrClosed;
    await Deno.remove(dir, { recursive: true });
  }
}

/** For each code, the cases of the table that must exit with it. */
const CASES: Record<number, [string, () => Promise<number>][]> = {
  0: [
    ["a job that finishes", () => code(["run", "examples/wordcount.ts", "--", "--top", "1"])],
    ["plan", () => code(["plan", "examples/wordcount.ts"])],
  ],
  1: [["a job that fails", () => code(["run", jobPath("runtime_error.ts")])]],
  2: [
    ["an unknown flag", () => code(["run", "examples/wordcount.ts", "--top", "3"])],
    ["a missing job file", () => code(["run", "no/such/job.ts"])],
    ["a job that cannot be built", () => code(["run", jobPath("build_error.ts")])],
    ["not enough slots", () => code(["run", "examples/wordcount.ts", "-p", "3", "--slots", "2"])],
  ],
  3: [
    [
      "run --master, unreachable",
      () => code(["run", "examples/wordcount.ts", "--master", `127.0.0.1:${freePort()}`]),
    ],
    ["list, unreachable", () => code(["list", "--master", `127.0.0.1:${freePort()}`])],
  ],
  130: [["Ctrl-C on a local run", interruptedRun]],
};

const README = Deno.readTextFileSync(new URL("../../README.md", import.meta.url));

Deno.test("README's exit code table: the codes spate uses, each also in the help", () => {
  const documented = documentedCodes(README);
  assert.deepEqual(documented, Object.keys(CASES).map(Number).sort((a, b) => a - b));
  const help = commandHelp("run").replace(/\n/g, " ");
  for (const c of documented) assert.match(help, new RegExp(`[:,] ${c} `), `code ${c} in help`);
});

Deno.test("README's exit code table: each code is what spate exits with in its case", async (t) => {
  for (const c of documentedCodes(README)) {
    for (const [what, run] of CASES[c]) {
      await t.step(`${c}: ${what}`, async () => assert.equal(await run(), c));
    }
  }
});
