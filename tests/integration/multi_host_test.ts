/**
 * Three "hosts" on one machine: a master and two workers, each in its own
 * network namespace, wired by veth pairs to a bridge in a fourth ("switch")
 * namespace. The root namespace joins the switch through one more veth so the
 * test can reach the master's REST API and submit the job; frames between the
 * hosts are bridged inside the switch namespace and never pass the root
 * namespace's netfilter. WordCount at parallelism 4 runs on 2 workers x 2
 * slots; the workers advertise their namespace addresses, so the shuffle has to
 * cross the veths, and the switch's port counters show that it did.
 *
 * Needs root and iproute2 (`ip netns`); otherwise it reports itself skipped
 * with the reason.
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, spateArgs } from "../_helpers/cli.ts";
import { type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";

/** Runs a command; never throws (a missing binary is a failure with its message). */
function sh(...args: string[]): { ok: boolean; out: string; err: string } {
  try {
    const r = new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
      .outputSync();
    const dec = new TextDecoder();
    return { ok: r.success, out: dec.decode(r.stdout), err: dec.decode(r.stderr).trim() };
  } catch (e) {
    return { ok: false, out: "", err: (e as Error).message };
  }
}

function must(...args: string[]): string {
  const r = sh(...args);
  if (!r.ok) throw new Error(`\`${args.join(" ")}\` failed: ${r.err}`);
  return r.out;
}

/** Why the test cannot run here, or undefined when it can. */
function netnsUnavailable(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid() !== 0) return "needs root for `ip netns`";
  const version = sh("ip", "-V");
  if (!version.ok) return `iproute2 (\`ip\`) is not usable: ${version.err}`;
  const probe = `spate-probe-${Deno.pid}`;
  const add = sh("ip", "netns", "add", probe);
  if (!add.ok) return `\`ip netns add\` failed: ${add.err}`;
  sh("ip", "netns", "del", probe);
  return undefined;
}

const skipReason = netnsUnavailable();
const canUseNetns = skipReason === undefined;
if (!canUseNetns) console.log(`multi-host test skipped: ${skipReason}`);

// Names carry the test process's pid, so concurrent runs do not clash. Interface
// names are limited to 15 characters; only ROOT_VETH lives in the root namespace.
const RUN = Deno.pid;
const SWITCH = `spate-sw-${RUN}`;
const ROOT_VETH = `spate${RUN}`;
const MASTER_PORT = 8081;
const DATA_PORT = 9091;

interface Host {
  readonly role: "m" | "w1" | "w2";
  readonly ns: string;
  readonly ip: string;
}

/** `ip <args>` (arguments separated by single spaces); throws with ip's message on failure. */
function ip(args: string): string {
  return must("ip", ...args.split(" "));
}

/** A /24 in 10.231.0.0/16 that no route in the root namespace covers yet. */
function freeSubnet(): string {
  const routes = (how: "match" | "root", prefix: string) =>
    (JSON.parse(ip(`-4 -j route show ${how} ${prefix}`) || "[]") as { dst: string }[])
      .filter((r) => r.dst !== "default");
  for (let i = 0; i < 254; i++) {
    const net = `10.231.${1 + (RUN + i) % 254}`;
    const prefix = `${net}.0/24`;
    if (routes("match", prefix).length === 0 && routes("root", prefix).length === 0) return net;
  }
  throw new Error("no free /24 in 10.231.0.0/16 for the test network");
}

/**
 * The switch namespace with bridge br0; per host a namespace whose eth0 is a
 * veth to switch port `role`; ROOT_VETH in the root namespace to switch port
 * `root`. No default routes: nothing leaves these namespaces.
 */
function setUpNetwork(net: string, hosts: Host[]): void {
  ip(`netns add ${SWITCH}`);
  ip(`-n ${SWITCH} link set dev lo up`);
  ip(`-n ${SWITCH} link add name br0 type bridge`);
  ip(`-n ${SWITCH} link set dev br0 up`);
  for (const h of hosts) {
    ip(`netns add ${h.ns}`);
    ip(`-n ${h.ns} link set dev lo up`);
    ip(`-n ${SWITCH} link add name ${h.role} type veth peer name eth0 netns ${h.ns}`);
    ip(`-n ${SWITCH} link set dev ${h.role} master br0 up`);
    ip(`-n ${h.ns} addr add ${h.ip}/24 dev eth0`);
    ip(`-n ${h.ns} link set dev eth0 up`);
  }
  ip(`link add name ${ROOT_VETH} type veth peer name root netns ${SWITCH}`);
  ip(`-n ${SWITCH} link set dev root master br0 up`);
  ip(`addr add ${net}.1/24 dev ${ROOT_VETH}`);
  ip(`link set dev ${ROOT_VETH} up`);
}

/** Deletes what setUpNetwork may have created; returns whatever is still there. */
function tearDownNetwork(hosts: Host[]): string[] {
  const ours = [...hosts.map((h) => h.ns), SWITCH];
  sh("ip", "link", "del", "dev", ROOT_VETH);
  for (const ns of ours) sh("ip", "netns", "del", ns);
  const left = sh("ip", "netns", "list").out.split("\n").map((l) => l.split(" ")[0])
    .filter((ns) => ours.includes(ns));
  if (sh("ip", "link", "show", "dev", ROOT_VETH).ok) left.push(ROOT_VETH);
  return left;
}

/** Bytes each switch port received from (rx) and sent to (tx) its host. */
function portBytes(): Map<string, { rx: number; tx: number }> {
  const links = JSON.parse(ip(`-n ${SWITCH} -s -j link show`)) as {
    ifname: string;
    stats64: { rx: { bytes: number }; tx: { bytes: number } };
  }[];
  return new Map(links.map((l) => [l.ifname, { rx: l.stats64.rx.bytes, tx: l.stats64.tx.bytes }]));
}

async function getJson(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

Deno.test({
  name: "master and 2 workers in 3 network namespaces: WordCount -p 4 crosses the veths",
  ignore: !canUseNetns,
  async fn() {
    const net = freeSubnet();
    const hosts: Host[] = [
      { role: "m", ns: `spate-m-${RUN}`, ip: `${net}.2` },
      { role: "w1", ns: `spate-w1-${RUN}`, ip: `${net}.3` },
      { role: "w2", ns: `spate-w2-${RUN}`, ip: `${net}.4` },
    ];
    const [master, ...workers] = hosts;
    const url = `http://${master.ip}:${MASTER_PORT}`;
    const dir = await Deno.makeTempDir({ prefix: "spate-netns-" });
    const procs: SpateProcess[] = [];
    let left: string[] = [];
    const logs = () => procs.map((p) => p.stderr()).join("\n");
    const inNs = (h: Host) => ["ip", "netns", "exec", h.ns, Deno.execPath()];
    try {
      setUpNetwork(net, hosts);
      procs.push(spawnSpate([
        "master",
        "--host",
        master.ip,
        "--port",
        String(MASTER_PORT),
        "--blob-dir",
        `${dir}/blobs`,
      ], inNs(master)));
      for (const w of workers) {
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
          String(DATA_PORT),
          "--work-dir",
          `${dir}/${w.role}`,
        ], inNs(w)));
      }
      await waitFor(
        "both workers to register with the master across the namespaces",
        async () => (await getJson(`${url}/api/v1/overview`)).taskmanagers === 2,
        30_000,
      ).catch((e) => {
        throw new Error(`${e.message}\n${logs()}`);
      });
      const tms: { id: string; dataAddress: string }[] =
        (await getJson(`${url}/api/v1/taskmanagers`)).taskmanagers;
      const dataAddress = new Map(tms.map((t) => [t.id, t.dataAddress]));
      assert.deepEqual(
        [...dataAddress.values()].sort(),
        workers.map((w) => `http://${w.ip}:${DATA_PORT}`),
        "the workers advertise their namespace addresses",
      );

      await Deno.mkdir(`${dir}/in`);
      // Four files: every source subtask reads one, so both workers send to each other.
      await writeCorpus(`${dir}/in`, 4, 200_000, 5);
      let text = "";
      for (const e of Deno.readDirSync(`${dir}/in`)) {
        text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
      }

      // The client runs in the root namespace and reaches the master over ROOT_VETH.
      const before = portBytes();
      const out = await new Deno.Command(Deno.execPath(), {
        args: spateArgs([
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
        ]),
        cwd: PROJECT_ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      const after = portBytes();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `${stderr}\n${logs()}`);
      assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));

      const jobId = stderr.match(/Job 'wordcount' \(([^)]+)\) FINISHED/)?.[1];
      assert.ok(jobId, `the client names the finished job:\n${stderr}`);
      const details = await getJson(`${url}/api/v1/jobs/${jobId}`);
      assert.equal(details.state, "FINISHED");
      const ran = new Set<string>(
        details.vertices.flatMap((v: { subtasks: { worker: string }[] }) =>
          v.subtasks.map((s) => s.worker)
        ),
      );
      assert.deepEqual(
        [...ran].map((id) => dataAddress.get(id)).sort(),
        workers.map((w) => `http://${w.ip}:${DATA_PORT}`),
        "both namespaced workers ran subtasks",
      );

      // What the workers sent into the switch, minus what reached the master
      // from anyone but the root namespace, is what they sent each other.
      const delta = (port: string, way: "rx" | "tx") =>
        after.get(port)![way] - before.get(port)![way];
      const workerToWorker = delta("w1", "rx") + delta("w2", "rx") -
        (delta("m", "tx") - delta("root", "rx"));
      assert.ok(
        workerToWorker > 256 * 1024,
        `the shuffle crossed the veths between the workers (${workerToWorker} bytes)`,
      );
    } finally {
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      left = tearDownNetwork(hosts);
      await Deno.remove(dir, { recursive: true });
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
