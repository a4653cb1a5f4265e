/**
 * TLS on every listener, with real processes: a TLS cluster (certificates
 * from `spate certs`) runs WordCount across two workers (RPC, REST and the
 * data plane all over TLS); with mutual TLS too; on `spate local` and on
 * masters with high availability; a plain-HTTP client, a server or a node
 * certified by another CA, and unusable certificate files each get a clear
 * error.
 */

import assert from "node:assert/strict";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";
import { runCli, wordcount } from "../_helpers/cli.ts";
import {
  freePort,
  type JobPlacement,
  jobWorkers,
  spawnSpate,
  waitFor,
} from "../_helpers/cluster.ts";
import { etcdSkipReason, startEtcd } from "../_helpers/etcd.ts";
import { haMasterArgs } from "../_helpers/ha_cluster.ts";
import {
  makeTestCerts,
  startTlsCluster,
  type TestCerts,
  type TlsCluster,
  tlsFlags,
} from "../_helpers/tls_cluster.ts";

const root = await Deno.makeTempDir({ prefix: "spate-tls-test-" });
globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
const certs = await makeTestCerts(`${root}/certs`);
const otherCerts = await makeTestCerts(`${root}/other-certs`);
const input = `${root}/in`;
await Deno.mkdir(input);
await writeCorpus(input, 2, 200_000);
let corpus = "";
for (const e of [...Deno.readDirSync(input)]) {
  corpus += (await Deno.readTextFile(`${input}/${e.name}`)) + "\n";
}
const expected = referenceCounts(corpus);

/** Runs WordCount with parallelism 4 on `cluster`, the client flags `clientFlags`. */
async function wordCount(cluster: TlsCluster, out: string, clientFlags: string[]) {
  return await runCli(
    wordcount(["--master", cluster.url, ...clientFlags, "-p", "4"], [
      "--input",
      input,
      "--output",
      out,
    ]),
  );
}

/** The workers a job's subtasks ran on, from the REST API. */
async function workersUsed(cluster: TlsCluster): Promise<Set<string>> {
  const jobs = (await cluster.rest("/api/v1/jobs")).jobs as { id: string }[];
  return jobWorkers(await cluster.rest(`/api/v1/jobs/${jobs[0].id}`) as unknown as JobPlacement);
}

async function withCluster(
  clientAuth: boolean,
  body: (cluster: TlsCluster) => Promise<void>,
  c: TestCerts = certs,
): Promise<void> {
  const cluster = await startTlsCluster(c, 2, 2, clientAuth);
  try {
    await body(cluster);
  } catch (e) {
    const logs = [cluster.master, ...cluster.workers].map((p) => p.stderr()).join("\n");
    throw new Error(`${(e as Error).message}\n--- cluster logs ---\n${logs}`);
  } finally {
    await cluster.stop();
  }
}

Deno.test("a TLS cluster runs WordCount across two workers; the CLI verifies it with --tls-ca", async () => {
  await withCluster(false, async (cluster) => {
    assert.match(cluster.master.stderr(), /listening on https:\/\/127\.0\.0\.1:\d+/);
    for (const w of cluster.workers) assert.match(w.stderr(), /serving data on https:\/\//);
    const res = await wordCount(cluster, `${root}/out-tls`, ["--tls-ca", certs.ca]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await readCounts(`${root}/out-tls`), expected);
    assert.equal((await workersUsed(cluster)).size, 2, "the shuffle crossed the TLS data plane");
    const list = await runCli(["list", "--all", "--master", cluster.url, "--tls-ca", certs.ca]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /FINISHED\s+\S+\s+wordcount/);

    // A plain-HTTP client to the TLS port: a clear error, and the master serves on.
    const plain = await runCli(["list", "--master", cluster.url.replace("https:", "http:")]);
    assert.equal(plain.code, 3);
    assert.match(plain.stderr, /did not answer plain HTTP .*use https:\/\//);
    // A client that trusts another CA refuses the master's certificate.
    const distrust = await runCli(["list", "--master", cluster.url, "--tls-ca", otherCerts.ca]);
    assert.equal(distrust.code, 3);
    assert.match(
      distrust.stderr,
      /TLS: the server's certificate is not signed by a CA this client trusts/,
    );
    assert.equal((await cluster.overview()).taskmanagers, 2);
  });
});

Deno.test("TLS with a cluster secret and tokens: an operator runs WordCount; no token gets 401", async () => {
  const secret = `${root}/secret`;
  const tokens = `${root}/tokens`;
  await Deno.writeTextFile(secret, "tls-test-cluster-secret-5e2a9b7c\n");
  await Deno.writeTextFile(
    tokens,
    "tls-viewer-token-1f9e3c8a viewer\ntls-operator-token-7b2d4e6f operator\n",
  );
  const cluster = await startTlsCluster(certs, 2, 2, false, {
    masterArgs: ["--cluster-secret-file", secret, "--auth-tokens", tokens],
    workerArgs: ["--cluster-secret-file", secret],
    token: "tls-viewer-token-1f9e3c8a",
  });
  try {
    const out = `${root}/out-auth`;
    const anonymous = await wordCount(cluster, out, ["--tls-ca", certs.ca]);
    assert.notEqual(anonymous.code, 0, anonymous.stderr);
    assert.match(anonymous.stderr, /HTTP 401 .*needs a bearer token/);
    assert.deepEqual((await cluster.rest("/api/v1/jobs")).jobs, [], "no job exists after");
    const res = await wordCount(cluster, out, [
      "--tls-ca",
      certs.ca,
      "--token",
      "tls-operator-token-7b2d4e6f",
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await readCounts(out), expected);
    assert.equal((await workersUsed(cluster)).size, 2, "the shuffle crossed TLS with proofs");
  } finally {
    await cluster.stop();
  }
});

Deno.test("mutual TLS: nodes and the CLI show certificates the CA signed; others are refused", async () => {
  await withCluster(true, async (cluster) => {
    const identity = ["--tls-ca", certs.ca, "--tls-cert", certs.cert, "--tls-key", certs.key];
    const res = await wordCount(cluster, `${root}/out-mtls`, identity);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(await readCounts(`${root}/out-mtls`), expected);
    assert.equal((await workersUsed(cluster)).size, 2);

    // Without a client certificate REST answers (list, and `spate run`, which submits over
    // REST as the SDK does: on the REST API tokens decide, not certificates).
    const list = await runCli(["list", "--master", cluster.url, "--tls-ca", certs.ca]);
    assert.equal(list.code, 0, list.stderr);
    const bare = await wordCount(cluster, `${root}/out-bare`, ["--tls-ca", certs.ca]);
    assert.equal(bare.code, 0, bare.stderr);
    assert.deepEqual(await readCounts(`${root}/out-bare`), expected);
    // A plain-HTTP client: refused, and the failed handshake is logged.
    const plain = await runCli(["list", "--master", cluster.url.replace("https:", "http:")]);
    assert.equal(plain.code, 3);
    assert.match(plain.stderr, /did not answer plain HTTP .*use https:\/\//);
    await waitFor(
      "the failed handshake in the log",
      () => /TLS handshake failed/.test(cluster.master.stderr()),
    );

    // A worker whose certificate another CA signed is refused, and both sides log it.
    const stranger = cluster.addWorker([
      "--tls-ca",
      certs.ca,
      "--tls-cert",
      otherCerts.cert,
      "--tls-key",
      otherCerts.key,
    ]);
    await waitFor("the stranger to be refused", () => /HTTP 403/.test(stranger.stderr()));
    assert.match(stranger.stderr(), /client certificate signed by the cluster's CA is needed/);
    assert.match(
      cluster.master.stderr(),
      /refused \/rpc\/v1\/connect .*no valid client certificate/,
    );
    assert.equal((await cluster.overview()).taskmanagers, 2);
  });
});

Deno.test("spate local serves TLS; a job submitted with --tls-ca runs on it", async () => {
  const port = freePort();
  const url = `https://127.0.0.1:${port}`;
  const local = spawnSpate(["local", "--port", String(port), "--slots", "2", ...tlsFlags(certs)]);
  const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(certs.ca)] });
  try {
    await waitFor("the local cluster to serve", async () => {
      const overview = await (await fetch(`${url}/api/v1/overview`, { client })).json();
      return overview.taskmanagers === 1;
    });
    const res = await runCli(
      wordcount(["--master", url, "--tls-ca", certs.ca, "-p", "2"], [
        "--input",
        input,
        "--output",
        `${root}/out-local`,
      ]),
    );
    assert.equal(res.code, 0, `${res.stderr}\n${local.stderr()}`);
    assert.deepEqual(await readCounts(`${root}/out-local`), expected);
  } finally {
    client.close();
    local.kill();
    await local.child.status;
  }
});

Deno.test({
  name: "HA masters serve TLS: a TLS worker registers with the leader, a job runs over https",
  ignore: etcdSkipReason() !== undefined,
  async fn() {
    await using etcd = await startEtcd();
    const ports = [freePort(), freePort()];
    const urls = ports.map((p) => `https://127.0.0.1:${p}`);
    const dir = `${root}/ha`;
    const masters = ports.map((port) =>
      spawnSpate(haMasterArgs({
        port,
        etcd: etcd.clientUrl,
        clusterId: "tls",
        ttlMs: 2000,
        storage: `${dir}/shared`,
        more: tlsFlags(certs),
      }))
    );
    const worker = spawnSpate([
      "worker",
      "--master",
      urls.join(","),
      "--slots",
      "2",
      "--work-dir",
      `${dir}/worker`,
      ...tlsFlags(certs),
    ]);
    const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(certs.ca)] });
    const overview = async (url: string) =>
      await (await fetch(`${url}/api/v1/overview`, { client })).json();
    try {
      let leader = "";
      await waitFor("a leader with the worker registered", async () => {
        for (const url of urls) {
          const o = await overview(url).catch(() => undefined);
          if (o?.ha?.isLeader && o.taskmanagers === 1) leader = url;
        }
        return leader !== "";
      });
      // The standby learns the leader from etcd, maybe a moment after the leader knows itself.
      const standby = urls.find((u) => u !== leader)!;
      await waitFor(
        "the standby to name the leader",
        async () => (await overview(standby).catch(() => undefined))?.ha?.leader === leader,
      );
      assert.equal((await overview(standby)).ha.leader, leader, "the leader's URL is https");
      const res = await runCli(
        wordcount(["--master", urls.join(","), "--tls-ca", certs.ca], [
          "--input",
          input,
          "--output",
          `${dir}/out`,
        ]),
      );
      assert.equal(res.code, 0, `${res.stderr}\n${masters.map((m) => m.stderr()).join("\n")}`);
      assert.deepEqual(await readCounts(`${dir}/out`), expected);
    } finally {
      client.close();
      for (const p of [worker, ...masters]) p.kill();
      await Promise.all([worker, ...masters].map((p) => p.child.status));
    }
  },
});

Deno.test("spate certs writes keys for their owner only, and never over an existing CA", async () => {
  for (const name of ["ca-key.pem", "127.0.0.1-key.pem"]) {
    assert.equal(Deno.statSync(`${certs.dir}/${name}`).mode! & 0o777, 0o600, name);
  }
  const before = Deno.readTextFileSync(certs.ca);
  const again = await runCli(["certs", "--out", certs.dir, "--hosts", "other"]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already holds ca\.pem, ca-key\.pem: choose another --out/);
  assert.equal(Deno.readTextFileSync(certs.ca), before);
  assert.equal((await runCli(["certs", "--hosts", "a"])).code, 2);
});

Deno.test("unusable TLS flags are usage errors naming the file", async () => {
  const missing = await runCli([
    "master",
    "--port",
    "0",
    ...tlsFlags({
      ...certs,
      cert: `${root}/no-such.pem`,
    }),
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--tls-cert \S+no-such\.pem: cannot read it \(no such file\)/);

  const swapped = await runCli(["worker", "--tls-cert", certs.cert, "--tls-key", certs.cert]);
  assert.equal(swapped.code, 2);
  assert.match(swapped.stderr, /--tls-key \S+127\.0\.0\.1\.pem: holds no PEM private key/);

  const noCa = await runCli([
    "master",
    "--tls-cert",
    certs.cert,
    "--tls-key",
    certs.key,
    "--tls-client-auth",
  ]);
  assert.equal(noCa.code, 2);
  assert.match(noCa.stderr, /--tls-client-auth needs --tls-ca/);

  const badCa = await runCli(["list", "--tls-ca", `${root}/in`]);
  assert.equal(badCa.code, 2);
  assert.match(badCa.stderr, /--tls-ca \S+in: cannot read it/);
});
