/**
 * Master and worker in the background, as README starts them: `deno task
 * spate master --pid-file F &`. The pid file names the real process (not the
 * deno task wrapper), `kill $(cat F)` stops it cleanly, and a killed launcher
 * (npm, which does not pass the signal on) takes the master down with it.
 */

import assert from "node:assert/strict";
import { readProcess } from "../../cli/launcher.ts";
import { PROJECT_ROOT } from "../_helpers/cli.ts";
import { freePort, waitFor } from "../_helpers/cluster.ts";

interface Background {
  readonly child: Deno.ChildProcess;
  stderr(): string;
}

/** Runs `cmd` as the shell would with `cmd &`, its stderr collected. */
function background(cmd: string[]): Background {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: PROJECT_ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let text = "";
  (async () => {
    for await (const chunk of child.stderr) text += new TextDecoder().decode(chunk);
  })();
  return { child, stderr: () => text };
}

const task = (args: string[]) => [Deno.execPath(), "task", "spate", ...args];

async function pidIn(file: string): Promise<number> {
  await waitFor(`${file} to be written`, async () => (await Deno.readTextFile(file)).trim() !== "");
  return Number((await Deno.readTextFile(file)).trim());
}

async function gone(pid: number, file: string): Promise<void> {
  await waitFor(`process ${pid} to exit`, () => readProcess(pid) === undefined, 10_000);
  await waitFor(`${file} to be removed`, async () => !(await exists(file)), 5_000);
}

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "kill $(cat pid-file) stops the real master and worker cleanly and removes the files",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-bg-" });
    const url = `http://127.0.0.1:${freePort()}`;
    const master = background(
      task(["master", "--port", new URL(url).port, "--pid-file", `${dir}/m.pid`]),
    );
    const worker = background(task(["worker", "-m", url, "--pid-file", `${dir}/w.pid`]));
    try {
      const masterPid = await pidIn(`${dir}/m.pid`);
      const workerPid = await pidIn(`${dir}/w.pid`);
      assert.notEqual(masterPid, master.child.pid, "the pid file names spate, not deno task");
      assert.match(readProcess(masterPid)!.argv.join(" "), /cli\/main\.ts master/);
      await waitFor("the worker to register", async () => {
        return (await (await fetch(`${url}/api/v1/overview`)).json()).taskmanagers === 1;
      });
      Deno.kill(workerPid, "SIGTERM");
      Deno.kill(masterPid, "SIGTERM");
      assert.equal((await worker.child.status).code, 0, worker.stderr());
      assert.equal((await master.child.status).code, 0, master.stderr());
      await gone(masterPid, `${dir}/m.pid`);
      await gone(workerPid, `${dir}/w.pid`);
      assert.match(master.stderr(), /signal SIGTERM: stopping/);
    } finally {
      for (const p of [master, worker]) {
        try {
          p.child.kill("SIGKILL");
        } catch { /* ended */ }
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a master whose launcher is killed (npm, which passes no signal on) stops by itself",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-bg-" });
    const port = String(freePort());
    // A process named npm that runs deno task and waits, as `npx deno task ...` does.
    const command = `${
      task(["master", "--port", port, "--pid-file", `${dir}/m.pid`]).join(" ")
    }; true`;
    const npm = background(["bash", "-c", `exec -a npm bash -c '${command}'`]);
    try {
      const masterPid = await pidIn(`${dir}/m.pid`);
      npm.child.kill("SIGKILL");
      await npm.child.status;
      await gone(masterPid, `${dir}/m.pid`);
      assert.match(npm.stderr(), /launcher \d+ \(npm .*\) is gone: stopping/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
