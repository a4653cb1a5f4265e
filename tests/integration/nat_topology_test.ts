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
import { type NetHost, netnsIgnored, sh, TestNetwork } from "../_helpers/netns.ts";
import { DATA_PORT, NetnsCluster } from "../_helpers/netns_cluster.ts";

const NFT_MISSING = sh("nft", "--version").ok ? undefined : "nftables (`nft`) is not installed";
if (NFT_MISSING !== undefined) console.log(`NAT topology test: ${NFT_MISSING}`);
const ignore = netnsIgnored("NAT topology test") ||
  (NFT_MISSING !== undefined && Deno.env.get("CI") !== "true");

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
    const c = new NetnsCluster(net, master, await Deno.makeTempDir({ prefix: "spate-nat-" }));
    let left: string[] = [];
    try {
      net.setUp();
      firewall(net, a);
      c.startMaster(["--heartbeat-timeout", "3000"]);
      // Four files: every source subtask reads one, so both workers send to each other.
      const text = await c.corpus(100_000);

      // A is firewalled: nobody can dial it. B accepts connections.
      c.startWorker(a, ["--no-inbound"]);
      c.startWorker(b);
      await c.registered(2, "both workers to register");
      assert.equal(await answers(`http://${a.ip}:${DATA_PORT}/metrics`), false, "A is unreachable");
      assert.equal(await answers(`http://${b.ip}:${DATA_PORT}/metrics`), true, "B is reachable");
      await c.wordCount(text, `${c.dir}/out-direct`);
      assert.doesNotMatch(c.logs(), /relaying data/, "no relay between reachable peers");

      // A firewalled without saying so: the master's probe of its data address fails.
      await c.stopWorkers();
      c.startWorker(a);
      c.startWorker(b);
      await c.registered(2, "both workers to register again");
      await c.wordCount(text, `${c.dir}/out-probed`);
      const masterLog = () => c.procs[0].stderr();
      assert.match(masterLog(), new RegExp(`${a.ip}:${DATA_PORT} takes no connection`));
      assert.doesNotMatch(masterLog(), new RegExp(`${b.ip}:${DATA_PORT} takes no`));

      // Both firewalled: the master relays every channel between them.
      await c.stopWorkers();
      firewall(net, b);
      c.startWorker(a, ["--no-inbound"]);
      c.startWorker(b, ["--no-inbound"]);
      await c.registered(2, "both firewalled workers to register");
      assert.equal(await answers(`http://${b.ip}:${DATA_PORT}/metrics`), false, "B is unreachable");
      await c.wordCount(text, `${c.dir}/out-relay`);
      assert.match(masterLog(), /relaying data between nodes that accept no connections/);
    } finally {
      left = await c.stop();
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
