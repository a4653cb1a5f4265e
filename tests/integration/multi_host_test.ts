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
 * with the reason (in CI it fails instead: see tests/_helpers/netns.ts).
 */

import assert from "node:assert/strict";
import { jobWorkers } from "../_helpers/cluster.ts";
import { netnsIgnored, TestNetwork } from "../_helpers/netns.ts";
import { DATA_PORT, getJson, NetnsCluster } from "../_helpers/netns_cluster.ts";

const ignore = netnsIgnored("multi-host test");

Deno.test({
  name: "master and 2 workers in 3 network namespaces: WordCount -p 4 crosses the veths",
  ignore,
  async fn() {
    const net = new TestNetwork("mh", ["m", "w1", "w2"]);
    const [master, ...workers] = net.hosts;
    const c = new NetnsCluster(net, master, await Deno.makeTempDir({ prefix: "spate-netns-" }));
    let left: string[] = [];
    try {
      net.setUp();
      c.startMaster();
      for (const w of workers) c.startWorker(w);
      await c.registered(2, "both workers to register with the master across the namespaces");
      const tms: { id: string; dataAddress: string }[] =
        (await getJson(`${c.url}/api/v1/taskmanagers`)).taskmanagers;
      const dataAddress = new Map(tms.map((t) => [t.id, t.dataAddress]));
      assert.deepEqual(
        [...dataAddress.values()].sort(),
        workers.map((w) => `http://${w.ip}:${DATA_PORT}`),
        "the workers advertise their namespace addresses",
      );

      // Four files: every source subtask reads one, so both workers send to each other.
      const text = await c.corpus(200_000);

      // The client runs in the root namespace and reaches the master through the switch.
      const before = net.portBytes();
      const stderr = await c.wordCount(text, `${c.dir}/out`);
      const after = net.portBytes();

      const jobId = stderr.match(/Job 'wordcount' \(([^)]+)\) FINISHED/)?.[1];
      assert.ok(jobId, `the client names the finished job:\n${stderr}`);
      const details = await getJson(`${c.url}/api/v1/jobs/${jobId}`);
      assert.equal(details.state, "FINISHED");
      const ran = jobWorkers(details);
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
      left = await c.stop();
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
