/**
 * Workers behind a firewall, on "hosts" in network namespaces (see
 * multi_host_test.ts for the wiring): an nftables rule in a worker's
 * namespace drops every inbound connection attempt (a TCP SYN without ACK),
 * as NAT does, while its own dials and their replies pass. First worker A is
 * firewalled (`--no-inbound`) and B is reachable: the keyed WordCount at
 * parallelism 4 across both is exact (B's slots are dialed both ways). Then
 * A runs without the flag and the master, whose probe of A's data address
 * fails, routes it the same way. Then both are firewalled and the master
 * relays every channel: exact again.
 *
 * Needs root, iproute2 and nftables (`nft`); otherwise it reports itself
 * skipped with the reason (in CI it fails instead).
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, spateArgs, wordcount } from "../_helpers/cli.ts";
import { type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";
import { type NetHost, netnsIgnored, sh, TestNetwork } from "../_helpers/netns.ts";

const NFT_MISSING = sh("nft", "--version").ok ? undefined : "nftables (`nft`) is not installed";
if (NFT_MISSING !== undefined) console.log(`NAT topology test: ${NFT_MISSING}`);
const ignore = netnsIgnored("NAT topology test") ||
  (NFT_MISSING !== undefined && Deno.env.get("CI") !== "true");

const MASTER_PORT = 8081;
const DATA_PORT = 9091;

async function getJson(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

/** Drops inbound connection attempts in `host`'s namespace (replies to its own dials pass). */
function firewall(net: TestNetwork, host: NetHost): void {
  const nft = (rule: string) => {
    const r = sh(...net.exec(host.role), "nft", rule);
    if (!r.ok) throw new Error(`nft ${rule}: ${r.err}`);
  };
  nft("add table inet spate_nat");
  nft("add chain inet spate_nat input { type filter hook input priority 0 ; policy accept ; }");
  nft("add rule inet spate_nat input iifname eth0 tcp flags & (syn | ack) == syn counter drop");
}

/** Whether a dial from the root namespace to `url` gets an answer within a second. */
async function answers(url: string): Promise<boolean> {
  try {
    await (await fetch(url, { signal: AbortSignal.timeout(1_000) })).body?.cancel();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "NAT topology in namespaces: a firewalled worker dials out; two firewalled workers relay",
  ignore,
  async fn() {
    const net = new TestNetwork("nat", ["m", "wa", "wb"]);
    const [master, a, b] = net.hosts;
    const url = `http://${master.ip}:${MASTER_PORT}`;
    const dir = await Deno.makeTempDir({ prefix: "spate-nat-" });
    const procs: SpateProcess[] = [];
    let left: string[] = [];
    const logs = () => procs.map((p) => p.stderr()).join("\n");
    const inNs = (h: NetHost) => [...net.exec(h.role), Deno.execPath()];
    const startWorker = (h: NetHost, extra: string[]) =>
      procs.push(spawnSpate([
        "worker",
        "--master",
        url,
        "--slots",
        "2",
        "--host",
        h.ip,
        "--advertise",
        h.ip,
        "--data-port",
        String(DATA_PORT),
        "--work-dir",
        `${dir}/${h.role}-${procs.length}`,
        ...extra,
      ], inNs(h)));
    const stopWorkers = async () => {
      const workers = procs.splice(1);
      for (const p of workers) p.kill("SIGKILL");
      await Promise.all(workers.map((p) => p.child.status));
      await waitFor(
        "the master to drop the workers",
        async () => (await getJson(`${url}/api/v1/overview`)).taskmanagers === 0,
        30_000,
      );
    };
    const runWordCount = async (text: string, out: string) => {
      const res = await new Deno.Command(Deno.execPath(), {
        args: spateArgs(
          wordcount(["--master", url, "-p", "4"], ["--input", `${dir}/in`, "--output", out]),
        ),
        cwd: PROJECT_ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      assert.equal(res.code, 0, `${new TextDecoder().decode(res.stderr)}\n${logs()}`);
      assert.deepEqual(await readCounts(out), referenceCounts(text));
    };
    try {
      net.setUp();
      firewall(net, a);
      procs.push(spawnSpate([
        "master",
        "--host",
        master.ip,
        "--port",
        String(MASTER_PORT),
        "--blob-dir",
        `${dir}/blobs`,
        "--heartbeat-timeout",
        "3000",
      ], inNs(master)));
      await Deno.mkdir(`${dir}/in`);
      // Four files: every source subtask reads one, so both workers send to each other.
      await writeCorpus(`${dir}/in`, 4, 100_000, 5);
      let text = "";
      for (const e of Deno.readDirSync(`${dir}/in`)) {
        text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
      }

      // A is firewalled: nobody can dial it. B accepts connections.
      startWorker(a, ["--no-inbound"]);
      startWorker(b, []);
      await waitFor(
        "both workers to register",
        async () => (await getJson(`${url}/api/v1/overview`)).taskmanagers === 2,
        30_000,
      ).catch((e) => {
        throw new Error(`${e.message}\n${logs()}`);
      });
      assert.equal(await answers(`http://${a.ip}:${DATA_PORT}/metrics`), false, "A is unreachable");
      assert.equal(await answers(`http://${b.ip}:${DATA_PORT}/metrics`), true, "B is reachable");
      await runWordCount(text, `${dir}/out-direct`);
      assert.doesNotMatch(logs(), /relaying data/, "no relay between reachable peers");

      // A firewalled without saying so: the master's probe of its data address fails.
      await stopWorkers();
      startWorker(a, []);
      startWorker(b, []);
      await waitFor(
        "both workers to register again",
        async () => (await getJson(`${url}/api/v1/overview`)).taskmanagers === 2,
        30_000,
      );
      await runWordCount(text, `${dir}/out-probed`);
      assert.match(procs[0].stderr(), new RegExp(`${a.ip}:${DATA_PORT} takes no connection`));
      assert.doesNotMatch(procs[0].stderr(), new RegExp(`${b.ip}:${DATA_PORT} takes no`));

      // Both firewalled: the master relays every channel between them.
      await stopWorkers();
      firewall(net, b);
      startWorker(a, ["--no-inbound"]);
      startWorker(b, ["--no-inbound"]);
      await waitFor(
        "both firewalled workers to register",
        async () => (await getJson(`${url}/api/v1/overview`)).taskmanagers === 2,
        30_000,
      );
      assert.equal(await answers(`http://${b.ip}:${DATA_PORT}/metrics`), false, "B is unreachable");
      await runWordCount(text, `${dir}/out-relay`);
      assert.match(procs[0].stderr(), /relaying data between nodes that accept no connections/);
    } finally {
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      left = net.tearDown();
      await Deno.remove(dir, { recursive: true });
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
