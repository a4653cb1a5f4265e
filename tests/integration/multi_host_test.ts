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
import { PROJECT_ROOT, spateArgs, wordcount } from "../_helpers/cli.ts";
import { jobWorkers, type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";
import { type NetHost, netnsIgnored, TestNetwork } from "../_helpers/netns.ts";

const ignore = netnsIgnored("multi-host test");

const MASTER_PORT = 8081;
const DATA_PORT = 9091;

async function getJson(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

Deno.test({
  name: "master and 2 workers in 3 network namespaces: WordCount -p 4 crosses the veths",
  ignore,
  async fn() {
    const net = new TestNetwork("mh", ["m", "w1", "w2"]);
    const [master, ...workers] = net.hosts;
    const url = `http://${master.ip}:${MASTER_PORT}`;
    const dir = await Deno.makeTempDir({ prefix: "spate-netns-" });
    const procs: SpateProcess[] = [];
    let left: string[] = [];
    const logs = () => procs.map((p) => p.stderr()).join("\n");
    const inNs = (h: NetHost) => [...net.exec(h.role), Deno.execPath()];
    try {
      net.setUp();
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

      // The client runs in the root namespace and reaches the master through the switch.
      const before = net.portBytes();
      const out = await new Deno.Command(Deno.execPath(), {
        args: spateArgs(
          wordcount(["--master", url, "-p", "4"], [
            "--input",
            `${dir}/in`,
            "--output",
            `${dir}/out`,
          ]),
        ),
        cwd: PROJECT_ROOT,
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      const after = net.portBytes();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, `${stderr}\n${logs()}`);
      assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));

      const jobId = stderr.match(/Job 'wordcount' \(([^)]+)\) FINISHED/)?.[1];
      assert.ok(jobId, `the client names the finished job:\n${stderr}`);
      const details = await getJson(`${url}/api/v1/jobs/${jobId}`);
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
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      left = net.tearDown();
      await Deno.remove(dir, { recursive: true });
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
