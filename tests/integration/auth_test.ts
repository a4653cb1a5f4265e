/**
 * Authentication and abuse limits on real processes: a master with a cluster
 * secret and bearer tokens, workers that prove (or fail to prove) the secret,
 * the CLI with and without tokens, the data port, the failed-authentication
 * limit, body limits and path traversal attempts.
 */

import assert from "node:assert/strict";
import { runCli, wordcount } from "../_helpers/cli.ts";
import {
  freePort,
  type JobPlacement,
  jobWorkers,
  spawnSpate,
  startCluster,
  waitFor,
} from "../_helpers/cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "../_helpers/corpus.ts";

const VIEWER = "viewer-token-6f1c2a9e";
const OPERATOR = "operator-token-8d3b7e41";
const ADMIN = "admin-token-0a5c9f27";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A submission that passes validation (its bundle is not uploaded). */
const MINIMAL_SUBMISSION = {
  jobName: "x",
  jobGraph: {
    jobName: "x",
    vertices: [{
      id: 1,
      name: "v",
      parallelism: 1,
      maxParallelism: 1,
      slotSharingGroup: "default",
      nodeIds: [1],
      operatorUids: [],
      inputs: [],
      outputs: [],
    }],
    edges: [],
  },
  job: { module: { kind: "blob", key: "0".repeat(64) }, args: [], defaults: {}, fingerprint: "f" },
  bufferTimeoutMs: 100,
};

/** A secret file, a second (wrong) one and a token file in `dir`. */
async function credentials(dir: string) {
  const files = {
    secret: `${dir}/secret`,
    wrongSecret: `${dir}/wrong-secret`,
    tokens: `${dir}/tokens`,
  };
  await Deno.writeTextFile(files.secret, "right-cluster-secret-4b1f9c0d2e7a\n");
  await Deno.writeTextFile(files.wrongSecret, "wrong-cluster-secret-93e8a1c5f6b2\n");
  await Deno.writeTextFile(
    files.tokens,
    `# test tokens\n${VIEWER} viewer\n${OPERATOR} operator\n${ADMIN} admin\n`,
  );
  return files;
}

/** `fetch` answered as `{ status, body }` (the body read as JSON, or text). */
async function call(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, body };
}

Deno.test("a cluster with a secret and tokens: who may do what", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "spate-auth-" });
  const files = await credentials(dir);
  // Two workers: WordCount's shuffle crosses between them, each stream with a proof.
  const cluster = await startCluster(
    2,
    2,
    [
      "--cluster-secret-file",
      files.secret,
      "--auth-tokens",
      files.tokens,
      "--auth-failure-limit",
      "1000", // this test fails on purpose from one address; the limit has its own test
    ],
    undefined,
    {
      workerArgs: ["--cluster-secret-file", files.secret],
      restHeaders: bearer(VIEWER),
    },
  );
  const jobs = async () =>
    ((await call(`${cluster.url}/api/v1/jobs`, { headers: bearer(VIEWER) })).body as {
      jobs: { id: string; state: string }[];
    }).jobs;
  try {
    await t.step("an operator token runs WordCount across both workers", async () => {
      await Deno.mkdir(`${dir}/in`);
      await writeCorpus(`${dir}/in`, 2, 100_000, 5);
      let text = "";
      for (const e of Deno.readDirSync(`${dir}/in`)) {
        text += (await Deno.readTextFile(`${dir}/in/${e.name}`)) + "\n";
      }
      const res = await runCli(
        wordcount(["--master", cluster.url, "--token", OPERATOR, "-p", "4"], [
          "--input",
          `${dir}/in`,
          "--output",
          `${dir}/out`,
        ]),
      );
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(await readCounts(`${dir}/out`), referenceCounts(text));
      assert.deepEqual((await jobs()).map((j) => j.state), ["FINISHED"]);
      const [job] = await jobs();
      const details = (await call(`${cluster.url}/api/v1/jobs/${job.id}`, {
        headers: bearer(VIEWER),
      })).body as JobPlacement;
      assert.equal(
        jobWorkers(details).size,
        2,
        "the job ran on both workers: its shuffle crossed them",
      );
    });

    await t.step("no token or a wrong one: 401 with a JSON error, and no job", async () => {
      const cli = await runCli(wordcount(["--master", cluster.url]));
      assert.notEqual(cli.code, 0);
      assert.match(cli.stderr, /401 unauthorized: this master needs a bearer token/);
      const wrongCli = await runCli(
        wordcount(["--master", cluster.url, "--token", "not-a-token-of-this-cluster"]),
      );
      assert.match(wrongCli.stderr, /401 unauthorized: the token is not valid/);
      assert.doesNotMatch(cluster.master.stderr(), /not-a-token-of-this-cluster/);
      for (const headers of [{}, bearer("not-a-token-of-this-cluster")]) {
        const res = await call(`${cluster.url}/api/v1/jobs`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: "{}",
        });
        assert.equal(res.status, 401);
        assert.match((res.body as { errors: string[] }).errors[0], /^unauthorized/);
        assert.equal(res.headers.get("www-authenticate"), 'Bearer realm="spate"');
        assert.equal((await call(`${cluster.url}/api/v1/overview`, { headers })).status, 401);
      }
      assert.equal((await jobs()).length, 1, "no job was added");
      // The master's Prometheus metrics are a GET like the others: a viewer's.
      assert.equal((await call(`${cluster.url}/metrics`)).status, 401);
      const metrics = await call(`${cluster.url}/metrics`, { headers: bearer(VIEWER) });
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.body), /^spate_jobs\{state="FINISHED"\} 1$/m);
      // The dashboard's page holds no data: it loads, then asks its API calls for the token.
      const page = await call(`${cluster.url}/`);
      assert.equal(page.status, 200);
      assert.match(String(page.body), /<html/i);
    });

    await t.step("a viewer lists but cannot cancel (403) nor submit", async () => {
      const [job] = await jobs();
      const list = await runCli([
        "list",
        "--all",
        "--master",
        cluster.url,
        "--token",
        VIEWER,
        "--json",
      ]);
      assert.equal(list.code, 0, list.stderr);
      assert.equal(JSON.parse(list.stdout)[0].id, job.id);
      const cancel = await runCli(["cancel", job.id, "--master", cluster.url, "--token", VIEWER]);
      assert.equal(cancel.code, 1);
      assert.match(cancel.stderr, /forbidden: PATCH .* needs role operator, the token has viewer/);
      const upload = await call(`${cluster.url}/api/v1/blobs`, {
        method: "PUT",
        headers: bearer(VIEWER),
        body: "x",
      });
      assert.equal(upload.status, 403);
      const run = await runCli(wordcount(["--master", cluster.url, "--token", VIEWER]));
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /403|forbidden|may not send/);
      assert.equal((await jobs()).length, 1);
    });

    await t.step("a worker with a wrong secret or none is refused and logged", async () => {
      cluster.addWorker(1, ["--cluster-secret-file", files.wrongSecret, "--name", "intruder"]);
      await waitFor(
        "the master to log the refused worker",
        () =>
          /\[auth\] refused a node's connection from 127\.0\.0\.1 \('intruder'\): a wrong cluster secret/
            .test(cluster.master.stderr()),
      );
      // Without --cluster-secret-file the worker's own flag list has none: it joins unproven.
      const plain = spawnSpate(["worker", "--master", cluster.url, "--name", "plain"]);
      try {
        await waitFor(
          "the master to log the worker without a secret",
          () =>
            /refused a node's connection from 127\.0\.0\.1 \('plain'\): no proof of the cluster secret/
              .test(cluster.master.stderr()),
        );
      } finally {
        plain.kill();
        await plain.child.status;
      }
      assert.equal(await cluster.taskManagers(), 2);
      cluster.addWorker(1);
      await waitFor(
        "the worker with the right secret to register",
        async () => await cluster.taskManagers() === 3,
      );
    });

    await t.step("the data port refuses a stream without a proof of the secret", async () => {
      const tms = (await call(`${cluster.url}/api/v1/taskmanagers`, { headers: bearer(VIEWER) }))
        .body as { taskmanagers: { dataAddress: string }[] };
      const res = await call(`${tms.taskmanagers[0].dataAddress}/data/v1/partition`, {
        method: "POST",
        body: new Uint8Array([0, 0, 0, 1, 0xa0]),
      });
      assert.equal(res.status, 401);
      assert.match((res.body as { errors: string[] }).errors[0], /no proof of the cluster secret/);
    });

    await t.step("path traversal in blob keys and storage paths is refused", async () => {
      const blob = await call(`${cluster.url}/api/v1/blobs/..%2F..%2Fetc%2Fpasswd`, {
        headers: bearer(VIEWER),
      });
      assert.equal(blob.status, 404);
      const [job] = await jobs();
      const savepoint = await call(`${cluster.url}/api/v1/jobs/${job.id}/savepoints`, {
        method: "POST",
        headers: { ...bearer(OPERATOR), "content-type": "application/json" },
        body: JSON.stringify({ targetDirectory: `${dir}/../../etc/spate` }),
      });
      assert.equal(savepoint.status, 400);
      assert.match(
        (savepoint.body as { errors: string[] }).errors[0],
        /targetDirectory must not contain a '\.\.' segment/,
      );
      // (the CLI resolves paths itself; a raw request may carry anything)
      const submission = await call(`${cluster.url}/api/v1/jobs`, {
        method: "POST",
        headers: { ...bearer(OPERATOR), "content-type": "application/json" },
        body: JSON.stringify({
          ...MINIMAL_SUBMISSION,
          restoreFrom: { path: "/tmp/x/../../etc", allowNonRestoredState: false },
        }),
      });
      assert.equal(submission.status, 400);
      assert.match(
        (submission.body as { errors: string[] }).errors[0],
        /restoreFrom\.path must not contain a '\.\.' segment/,
      );
      assert.equal((await jobs()).length, 1);
    });
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a secret without tokens: workers prove it, clients and REST stay open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-secret-" });
  const files = await credentials(dir);
  const cluster = await startCluster(1, 2, ["--cluster-secret-file", files.secret], undefined, {
    workerArgs: ["--cluster-secret-file", files.secret],
  });
  try {
    await Deno.mkdir(`${dir}/in`);
    await Deno.writeTextFile(`${dir}/in/a.txt`, "to be or not to be\n");
    const res = await runCli(
      wordcount(["--master", cluster.url, "-p", "2"], [
        "--input",
        `${dir}/in`,
        "--output",
        `${dir}/out`,
      ]),
    );
    assert.equal(res.code, 0, res.stderr);
    assert.equal((await readCounts(`${dir}/out`)).get("to"), 2);
    const intruder = spawnSpate(["worker", "--master", cluster.url, "--name", "intruder"]);
    try {
      await waitFor(
        "the master to refuse the worker without the secret",
        () => /refused a node's connection .*'intruder'.*no proof/.test(cluster.master.stderr()),
      );
    } finally {
      intruder.kill();
      await intruder.child.status;
    }
    assert.equal(await cluster.taskManagers(), 1);
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("limits: failed authentications per peer, body sizes, jobs per cluster", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-limits-" });
  const files = await credentials(dir);
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const master = spawnSpate([
    "master",
    "--port",
    String(port),
    "--blob-dir",
    `${dir}/blobs`,
    "--cluster-secret-file",
    files.secret,
    "--auth-tokens",
    files.tokens,
    "--auth-failure-limit",
    "3",
    "--max-upload-bytes",
    "1000",
    "--max-request-body-bytes",
    "2048",
    "--max-jobs",
    "1",
  ]);
  try {
    await waitFor("the master", async () => (await call(`${url}/api/v1/overview`)).status === 401);
    // (that probe was the first failure)
    const upload = await call(`${url}/api/v1/blobs`, {
      method: "PUT",
      headers: bearer(OPERATOR),
      body: new Uint8Array(1001),
    });
    assert.equal(upload.status, 413);
    assert.match((upload.body as { errors: string[] }).errors[0], /--max-upload-bytes/);
    const submit = await call(`${url}/api/v1/jobs`, {
      method: "POST",
      headers: { ...bearer(OPERATOR), "content-type": "application/json" },
      body: JSON.stringify({ pad: "x".repeat(3000) }),
    });
    assert.equal(submit.status, 413);
    assert.match((submit.body as { errors: string[] }).errors[0], /--max-request-body-bytes/);

    // --max-jobs 1: a job waiting for slots (there are no workers) is the one.
    const key = ((await call(`${url}/api/v1/blobs`, {
      method: "PUT",
      headers: bearer(OPERATOR),
      body: "export {};",
    })).body as { key: string }).key;
    const submitJob = () =>
      call(`${url}/api/v1/jobs`, {
        method: "POST",
        headers: { ...bearer(OPERATOR), "content-type": "application/json" },
        body: JSON.stringify({
          ...MINIMAL_SUBMISSION,
          job: { ...MINIMAL_SUBMISSION.job, module: { kind: "blob", key } },
        }),
      });
    assert.equal((await submitJob()).status, 202);
    const second = await submitJob();
    assert.equal(second.status, 429);
    assert.match((second.body as { errors: string[] }).errors[0], /--max-jobs 1/);

    for (let i = 0; i < 2; i++) {
      assert.equal(
        (await call(`${url}/api/v1/jobs`, { headers: bearer("wrong-token-" + i) })).status,
        401,
      );
    }
    // Three failures: this address now waits, even with a valid token.
    const blocked = await call(`${url}/api/v1/jobs`, { headers: bearer(VIEWER) });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    assert.match((blocked.body as { errors: string[] }).errors[0], /too many failed/);
    assert.match(
      master.stderr(),
      /\[auth\] 3 failed authentications from 127\.0\.0\.1 within 60000 ms: its requests are refused/,
    );
  } finally {
    master.kill();
    await master.child.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startup: a malformed token file names the line; tokens need a secret", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-tokens-" });
  const files = await credentials(dir);
  try {
    await Deno.writeTextFile(`${dir}/bad`, `${VIEWER} viewer\n${OPERATOR} superuser\n`);
    const bad = await runCli([
      "master",
      "--port",
      "0",
      "--cluster-secret-file",
      files.secret,
      "--auth-tokens",
      `${dir}/bad`,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, new RegExp(`${dir}/bad:2: unknown role 'superuser'`));
    const noSecret = await runCli(["master", "--port", "0", "--auth-tokens", files.tokens]);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /--auth-tokens needs --cluster-secret-file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
