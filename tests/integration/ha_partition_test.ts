/**
 * A partition, not a crash: etcd, two HA masters (A, then B) and two workers,
 * each in its own network namespace (tests/_helpers/netns.ts). The
 * exactly-once keyed count runs at parallelism 4, submitted to A by a client
 * that knows both masters. Then A's switch port goes down: A still runs but
 * reaches nothing (etcd, workers, client) and nothing reaches it. B is elected
 * and resumes the job from its latest checkpoint; the workers register with
 * B; the client follows. A steps down by itself when it cannot renew its
 * lease (its log says so while the port is still down), and after the port
 * comes back up it stands by under B: whatever it still had in flight is
 * refused by term (workers) or by etcd's transaction on the leader key (job
 * store). The job finishes exactly once.
 *
 * Needs root, iproute2 and etcd; otherwise it reports itself skipped (in CI a
 * missing namespace support fails it).
 */

import assert from "node:assert/strict";
import { runSummary } from "../_helpers/cli.ts";
import { type SpateProcess, spawnSpate, waitFor } from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import { haMasterArgs, haView, jobRunning, runHaKeyedCount, when } from "../_helpers/ha_cluster.ts";
import { assertExactlyCommitted, expectedCountLines } from "../_helpers/keyed_count.ts";
import { netnsIgnored, TestNetwork } from "../_helpers/netns.ts";

const etcdMissing = etcdSkipReason();
if (etcdMissing) console.log(`HA partition test skipped: ${etcdMissing}`);
const ignore = netnsIgnored("HA partition test") || etcdMissing !== undefined;

const EVENTS = 100_000;
const KEYS = 300;
const RATE = 8_000; // events/s: the job runs >= 12.5 s, the partition (~4 s to B running) inside
const TTL_MS = 2000;
const PORT = 8081;

Deno.test({
  name:
    "HA partition: the leader cut off from etcd and workers steps down by itself, the standby " +
    "takes over, the job finishes exactly once; the old leader rejoins as a standby",
  ignore,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const net = new TestNetwork("hap", ["etcd", "ma", "mb", "w1", "w2"]);
    const dir = await Deno.makeTempDir({ prefix: "spate-ha-partition-" });
    const procs: SpateProcess[] = [];
    const logs = () => procs.map((p, i) => `--- process ${i}:\n${p.stderr()}`).join("\n");
    let left: string[] = [];
    try {
      net.setUp();
      const etcd = await startEtcd({
        host: net.host("etcd").ip,
        clientPort: 2379,
        peerPort: 2380,
        prefix: net.exec("etcd"),
      });
      try {
        const url = (role: string) => `http://${net.host(role).ip}:${PORT}`;
        const [a, b] = [url("ma"), url("mb")];
        const master = (role: string) =>
          spawnSpate(
            haMasterArgs({
              host: net.host(role).ip,
              port: PORT,
              etcd: etcd.clientUrl,
              clusterId: "partition",
              ttlMs: TTL_MS,
              storage: `${dir}/ha`,
              // Workers notice a silent master within 3 s (the default is 10 s).
              more: ["--heartbeat-timeout", "3000"],
            }),
            [...net.exec(role), Deno.execPath()],
          );
        const masterA = master("ma");
        procs.push(masterA);
        await when("A leads", async () => (await haView(a)).isLeader, 30_000);
        procs.push(master("mb"));
        await when("B stands by under A", async () => (await haView(b)).leader === a, 30_000);
        for (const role of ["w1", "w2"]) {
          const ip = net.host(role).ip;
          procs.push(spawnSpate(
            [
              "worker",
              "--master",
              `${a},${b}`,
              "--slots",
              "2",
              "--host",
              ip,
              "--advertise",
              ip,
              "--work-dir",
              `${dir}/${role}`,
              "--connect-timeout",
              "1000",
            ],
            [...net.exec(role), Deno.execPath()],
          ));
        }
        await waitFor(
          "2 workers registered with A",
          async () => (await (await fetch(`${a}/api/v1/overview`)).json()).taskmanagers === 2,
          30_000,
        );

        const out = `${dir}/out`;
        const run = runHaKeyedCount(
          `${a},${b}`,
          `${dir}/checkpoints`,
          ["--restart-strategy", "fixed-delay:20:200", "--connect-timeout", "1000"],
          { events: EVENTS, keys: KEYS, rate: RATE, out: `${out}/data` },
        );
        let jobId = "";
        await when("the job submitted to A", async () => {
          const jobs = (await (await fetch(`${a}/api/v1/jobs`)).json()).jobs;
          jobId = jobs[0]?.id ?? "";
          return jobId !== "";
        }, 60_000);
        await when("2 completed checkpoints at A", () => jobRunning(a, jobId, 2), 60_000);
        const termA = (await haView(a)).term!;

        net.portDown("ma");
        const cutMs = performance.now();
        await when("B leads", async () => (await haView(b)).isLeader, 30_000);
        const electedMs = performance.now();
        await when("the job running at B", () => jobRunning(b, jobId), 60_000);
        const runningMs = performance.now();
        const termB = (await haView(b)).term!;
        assert.ok(termB > termA, `B's term ${termB} is newer than A's ${termA}`);
        // A, still cut off, noticed by itself that its lease ran out and stopped leading.
        await when(
          "A to step down while cut off",
          () => Promise.resolve(/stops leading cluster 'partition'/.test(masterA.stderr())),
          15_000,
        );
        assert.match(masterA.stderr(), /lost leadership of cluster 'partition'/);
        console.log(
          `partition: B elected ${Math.round(electedMs - cutMs)} ms after the cut, job RUNNING ` +
            `at B after ${Math.round(runningMs - cutMs)} ms (session TTL ${TTL_MS} ms)`,
        );

        net.portUp("ma");
        await when("A stands by under B", async () => {
          const ha = await haView(a);
          return !ha.isLeader && ha.leader === b && ha.term === termB;
        }, 30_000);
        // B learns of A's new candidacy by its watch on etcd: soon, not at once.
        await when(
          "B sees A as its standby once the port is up",
          async () => JSON.stringify((await haView(b)).standbys) === JSON.stringify([a]),
          15_000,
        );

        const res = await run;
        assert.equal(res.code, 0, res.stderr);
        const summary = runSummary(res);
        assert.deepEqual([summary.jobId, summary.state], [jobId, "FINISHED"]);
        await assertExactlyCommitted(`${out}/data`, expectedCountLines(EVENTS, KEYS));
        // A never led again, and B resumed the job from a checkpoint, not from its start.
        assert.equal(masterA.stderr().match(/serves as leader/g)?.length, 1);
        assert.match(
          procs[1].stderr(),
          new RegExp(`resuming job ${jobId} \\(.*\\) from checkpoint \\d+`),
        );
      } finally {
        await etcd.close();
      }
    } catch (e) {
      console.error(logs());
      throw e;
    } finally {
      for (const p of procs) p.kill("SIGKILL");
      await Promise.all(procs.map((p) => p.child.status));
      left = net.tearDown();
      await Deno.remove(dir, { recursive: true });
    }
    assert.deepEqual(left, [], "the namespaces and the root veth are gone");
  },
});
