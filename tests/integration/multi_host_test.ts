/**
 * Three "hosts": a master and two workers in their own network namespaces,
 * joined by veth pairs on a bridge. WordCount at parallelism 4 must cross
 * the veths (the workers' data addresses are their namespace addresses).
 * Needs root (ip netns); otherwise it reports itself skipped with the reason.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";

function sh(...args: string[]): { ok: boolean; err: string } {
  try {
    const out = new Deno.Command(args[0], { args: args.slice(1), stdout: "null", stderr: "piped" })
      .outputSync();
    return { ok: out.success, err: new TextDecoder().decode(out.stderr).trim() };
  } catch (e) {
    return { ok: false, err: (e as Error).message };
  }
}

function probe(): string | undefined {
  if (Deno.uid() !== 0) return "needs root for ip netns";
  const name = `spate-probe-${Deno.pid}`;
  const add = sh("ip", "netns", "add", name);
  if (!add.ok) return `ip netns add failed: ${add.err}`;
  sh("ip", "netns", "del", name);
  return undefined;
}

const skipReason = probe();
if (skipReason) console.log(`multi-host test skipped: ${skipReason}`);

const id = Deno.pid % 10000;
const SUBNET = "10.231.77";
const bridge = `spbr${id}`;
const hosts = [
  { role: "master", ns: `sp${id}m`, veth: `sp${id}m0`, ip: `${SUBNET}.2` },
  { role: "w1", ns: `sp${id}a`, veth: `sp${id}a0`, ip: `${SUBNET}.3` },
  { role: "w2", ns: `sp${id}b`, veth: `sp${id}b0`, ip: `${SUBNET}.4` },
];

function must(...args: string[]): void {
  const r = sh(...args);
  if (!r.ok) throw new Error(`${args.join(" ")}: ${r.err}`);
}

function setUpNetwork(): void {
  must("ip", "link", "add", bridge, "type", "bridge");
  must("ip", "addr", "add", `${SUBNET}.1/24`, "dev", bridge);
  must("ip", "link", "set", bridge, "up");
  for (const h of hosts) {
    must("ip", "netns", "add", h.ns);
    must("ip", "link", "add", h.veth, "type", "veth", "peer", "name", `${h.veth}p`);
    must("ip", "link", "set", `${h.veth}p`, "netns", h.ns);
    must("ip", "netns", "exec", h.ns, "ip", "addr", "add", `${h.ip}/24`, "dev", `${h.veth}p`);
    must("ip", "netns", "exec", h.ns, "ip", "link", "set", `${h.veth}p`, "up");
    must("ip", "netns", "exec", h.ns, "ip", "link", "set", "lo", "up");
    must("ip", "link", "set", h.veth, "master", bridge);
    must("ip", "link", "set", h.veth, "up");
  }
}

function tearDownNetwork(): void {
  for (const h of hosts) {
    sh("ip", "netns", "del", h.ns);
    sh("ip", "link", "del", h.veth);
  }
  sh("ip", "link", "del", bridge);
}

Deno.test({
  name: "master and two workers in three network namespaces run WordCount at parallelism 4",
  ignore: skipReason !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spate-netns-" });
    const procs: SpateProcess[] = [];
    const inNs = (ns: string) => ["ip", "netns", "exec", ns, Deno.execPath()];
    try {
      setUpNetwork();
      const master = hosts[0];
      const url = `http://${master.ip}:8081`;
      procs.push(spawnSpate(
        ["master", "--host", master.ip, "--port", "8081", "--blob-dir", `${dir}/blobs`],
        inNs(master.ns),
      ));
      for (const w of hosts.slice(1)) {
        procs.push(spawnSpate([
          "worker",
          "--master",
          url,
          "--slots",
          "2",
          "--host",
          w.ip,
          "--advertise",
          w.ip,
          "--data-port",
          "9091",
          "--work-dir",
          `${dir}/${w.role}`,
        ], inNs(w.ns)));
      }
      await waitFor("both workers to register across the namespaces", async () => {
        const o = await (await fetch(`${url}/api/v1/overview`)).json();
        return o.taskmanagers === 2;
      }, 30_000);

      await Deno.mkdir(`${dir}/in`);
      await writeCorpus(`${dir}/in`, 2, 400_000, 5);
      let text = "";
      for (const e of Deno.readDirSync(`${dir}/in`)) {
        text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
      }
      const res = await runCli([
        "run",
        "examples/wordcount.ts",
        "--master",
        url,
        "-p",
        "4",
        "--",
        "--input",
        `${dir}/in`,
        "--output",
        `${dir}/out`,
      ]);
      assert.equal(res.code, 0, res.stderr + procs.map((p) => p.stderr()).join("\n"));
      assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));

      const tms = (await (await fetch(`${url}/api/v1/taskmanagers`)).json()).taskmanagers;
      assert.deepEqual(
        tms.map((t: { dataAddress: string }) => t.dataAddress).sort(),
        [`http://${hosts[1].ip}:9091`, `http://${hosts[2].ip}:9091`],
      );
      const jobs = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs;
      const d = await (await fetch(`${url}/api/v1/jobs/${jobs[0].id}`)).json();
      const used = new Set(
        d.vertices.flatMap((v: { subtasks: { worker: string }[] }) =>
          v.subtasks.map((s) => s.worker)
        ),
      );
      assert.equal(
        used.size,
        2,
        "both namespaced workers ran subtasks, so the shuffle crossed the veths",
      );
    } finally {
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      tearDownNetwork();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
