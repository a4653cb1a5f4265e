/**
 * The client SDK's uvu tests (tests/sdk/client.uvu.mjs: a real master and
 * worker, submit, watch, collect, cancel, savepoint and resume, a wrong
 * token, an unreachable master, several masters; tests/sdk/failover.uvu.mjs:
 * the leader of two masters with high availability killed while a job is
 * watched and collected) under Deno on the sources, and under Node on the
 * build of `deno task build:client`.
 * @module
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT } from "../_helpers/cli.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";

const SUITE = `${PROJECT_ROOT}tests/sdk/client.uvu.mjs`;
const FAILOVER_SUITE = `${PROJECT_ROOT}tests/sdk/failover.uvu.mjs`;
/** The suite's own deadlines are shorter: this only keeps a broken run from hanging the suite. */
const RUN_TIMEOUT_MS = 240_000;

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const res = await new Deno.Command(cmd, {
    args,
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", SPATE_DENO: Deno.execPath(), ...env },
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).output();
  const dec = new TextDecoder();
  return { code: res.code, out: dec.decode(res.stdout) + dec.decode(res.stderr) };
}

/** Asserts uvu's summary: every test passed (at least `least`), none skipped. */
function assertPassed(r: { code: number; out: string }, least = 8): void {
  const total = Number(/Total:\s+(\d+)/.exec(r.out)?.[1]);
  const passed = Number(/Passed:\s+(\d+)/.exec(r.out)?.[1]);
  assert.equal(r.code, 0, r.out);
  assert.ok(total >= least && passed === total, `uvu: ${passed} of ${total} passed\n${r.out}`);
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

/** Builds dist/client once (the Node runs import it). */
let built: Promise<void> | undefined;
function buildClient(): Promise<void> {
  return built ??= (async () => {
    const build = await run(Deno.execPath(), ["task", "build:client"]);
    assert.equal(build.code, 0, build.out);
    const js = await Deno.readTextFile(`${PROJECT_ROOT}dist/client/mod.js`);
    assert.doesNotMatch(js, /\bDeno\./, "the Node build uses no Deno API");
    assert.ok((await Deno.stat(`${PROJECT_ROOT}dist/client/mod.d.ts`)).isFile);
  })();
}

Deno.test({
  name: "SDK uvu tests under Node (dist/client from deno task build:client)",
  ignore: missing !== undefined,
  async fn() {
    await buildClient();
    assertPassed(await run("node", [SUITE]));
  },
});

const etcdMissing = etcdSkipReason();
if (etcdMissing !== undefined) console.error(`skipping the SDK's failover tests: ${etcdMissing}`);

for (const runtime of ["Deno", "Node"] as const) {
  Deno.test({
    name: `SDK master failover under ${runtime}: watch and collect follow the new leader`,
    ignore: etcdMissing !== undefined || (runtime === "Node" && missing !== undefined),
    async fn() {
      await using etcd = await startEtcd();
      const env = { SPATE_TEST_ETCD: etcd.clientUrl };
      if (runtime === "Node") await buildClient();
      const r = runtime === "Deno"
        ? await run(Deno.execPath(), ["run", "-A", "--config", "deno.json", FAILOVER_SUITE], env)
        : await run("node", [FAILOVER_SUITE], env);
      console.log(/kill -9 of .*/.exec(r.out)?.[0] ?? "");
      assertPassed(r, 1);
    },
  });
}
