/**
 * The client SDK's uvu tests (tests/sdk/client.uvu.mjs: a real master and
 * worker, submit, watch, collect, cancel, savepoint and resume, a wrong
 * token, an unreachable master, several masters) under Deno on the sources,
 * and under Node on the build of `deno task build:client`.
 * @module
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../_helpers/cli.ts";

const SUITE = `${PROJECT_ROOT}tests/sdk/client.uvu.mjs`;
/** The suite's own deadlines are shorter: this only keeps a broken run from hanging the suite. */
const RUN_TIMEOUT_MS = 240_000;

async function run(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const res = await new Deno.Command(cmd, {
    args,
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", SPATE_DENO: Deno.execPath() },
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).output();
  const dec = new TextDecoder();
  return { code: res.code, out: dec.decode(res.stdout) + dec.decode(res.stderr) };
}

/** Asserts uvu's summary: every test passed, none skipped. */
function assertPassed(r: { code: number; out: string }): void {
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1]);
  const passed = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1]);
  assert.equal(r.code, 0, r.out);
  assert.ok(total >= 8 && passed === total, `uvu: ${passed} of ${total} passed\n${r.out}`);
}

/** Why the Node run cannot happen here, if it cannot (a failure in CI). */
function nodeMissing(): string | undefined {
  try {
    new Deno.Command("node", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync();
    return undefined;
  } catch {
    return "node is not on the PATH";
  }
}

Deno.test("SDK uvu tests under Deno (sources)", async () => {
  assertPassed(await run(Deno.execPath(), ["run", "-A", "--config", "deno.json", SUITE]));
});

const missing = nodeMissing();
if (missing !== undefined && Deno.env.get("CI") === "true") {
  throw new Error(`the SDK's Node tests need node: ${missing}`);
}
if (missing !== undefined) console.error(`skipping the SDK's Node tests: ${missing}`);

Deno.test({
  name: "SDK uvu tests under Node (dist/client from deno task build:client)",
  ignore: missing !== undefined,
  async fn() {
    const build = await run(Deno.execPath(), ["task", "build:client"]);
    assert.equal(build.code, 0, build.out);
    const js = await Deno.readTextFile(`${PROJECT_ROOT}dist/client/mod.js`);
    assert.doesNotMatch(js, /\bDeno\./, "the Node build uses no Deno API");
    assert.ok((await Deno.stat(`${PROJECT_ROOT}dist/client/mod.d.ts`)).isFile);
    assertPassed(await run("node", [SUITE]));
  },
});
