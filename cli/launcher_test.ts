import assert from "node:assert/strict";
import { launcherChain, type ProcessInfo, readProcess } from "./launcher.ts";

/** A process table: each entry is [pid, ppid, argv]. */
function table(...rows: [number, number, string[]][]): (pid: number) => ProcessInfo | undefined {
  const map = new Map(rows.map(([pid, ppid, argv]) => [pid, { pid, ppid, startTime: pid, argv }]));
  return (pid) => map.get(pid);
}

const chainOf = (read: (pid: number) => ProcessInfo | undefined) =>
  launcherChain(100, read).map((p) => p.pid);

Deno.test("npx ... & : deno task, npm's sh -c and npm are the launcher; the user's shell is not", () => {
  const read = table(
    [100, 99, ["deno", "task", "spate", "master"]],
    [99, 98, ["sh", "-c", "'deno' task spate master"]],
    [98, 97, ["npm exec deno@2.9.6 task spate master"]],
    [97, 1, ["-bash"]],
  );
  assert.deepEqual(chainOf(read), [100, 99, 98]);
  const nodeNpx = table(
    [100, 99, ["/usr/bin/deno", "task", "spate", "worker"]],
    [99, 98, ["/bin/sh", "-c", "deno task spate worker"]],
    [98, 97, ["node", "/usr/lib/node_modules/npm/bin/npx-cli.js", "deno@2.9.6", "task"]],
    [97, 1, ["bash"]],
  );
  assert.deepEqual(chainOf(nodeNpx), [100, 99, 98]);
});

Deno.test("a command started by a shell or a script has no launcher to outlive", () => {
  assert.deepEqual(chainOf(table([100, 99, ["bash"]], [99, 1, ["sshd"]])), []);
  // A user's `sh -c` is not npm's: the script may end while the daemon goes on.
  const script = table([100, 99, ["sh", "-c", "deno task spate master &"]], [99, 1, ["bash"]]);
  assert.deepEqual(chainOf(script), []);
  // deno task from a shell: only deno task, whose end the command outlives if it is nohup'ed.
  const task = table([100, 99, ["deno", "task", "spate", "master"]], [99, 1, ["bash"]]);
  assert.deepEqual(chainOf(task), [100]);
  // The test runner (deno test) is not a launcher.
  assert.deepEqual(chainOf(table([100, 99, ["deno", "test", "-A"]], [99, 1, ["bash"]])), []);
});

Deno.test({
  name: "readProcess reads this process from /proc, and nothing for a pid that is gone",
  ignore: Deno.build.os !== "linux",
  fn() {
    const me = readProcess(Deno.pid)!;
    assert.equal(me.pid, Deno.pid);
    assert.equal(me.ppid, Deno.ppid);
    assert.ok(me.startTime > 0);
    assert.ok(me.argv.some((a) => a === "test"), me.argv.join(" "));
    assert.equal(readProcess(2 ** 30), undefined);
  },
});
