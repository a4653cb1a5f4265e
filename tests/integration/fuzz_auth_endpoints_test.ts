/**
 * The fuzz cases of fuzz_endpoints_test.ts against a master with a cluster
 * secret and tokens, each sent with no token, a wrong one or a viewer's:
 * nothing gets past the door without a valid token (401; a viewer's writes
 * 403; only the dashboard's page, which holds no data, is served to all),
 * nothing crashes, no worker joins and no job appears, and a job submitted
 * with an operator token meanwhile finishes with the right output. Run over
 * plain HTTP and over TLS (mutual TLS off, the client trusting the test CA);
 * with TLS, the master's port and a worker's data port also get TLS-level
 * garbage, and must close each such connection promptly and serve on; a
 * peer that stalls halfway through its handshake is closed after the
 * server's handshake timeout.
 */

import assert from "node:assert/strict";
import { startCluster } from "../_helpers/cluster.ts";
import { prng } from "../_helpers/corpus.ts";
import {
  assertOnlyTheOperatorsJob,
  authClusterArgs,
  type AuthFuzzTarget,
  dataAddresses,
  fuzzAuthCases,
  runOperatorJob,
  VIEWER,
  viewerGet,
} from "../_helpers/fuzz_auth.ts";
import { client } from "../_helpers/fuzz_cases.ts";
import { makeTestCerts, startTlsCluster } from "../_helpers/tls_cluster.ts";
import { TLS_HANDSHAKE_TIMEOUT_MS } from "../../nodes/rpc/tls/https_server.ts";
import {
  captureClientHello,
  CLOSE_BOUND_MS,
  stalledHandshake,
  TLS_GARBAGE_KINDS,
  tlsGarbageCase,
  type TlsGarbageTarget,
} from "../_helpers/tls_garbage.ts";

const CASES = 10_000;
const SEED = 2027;
/** The outcome counts of the plain-HTTP run, which the TLS run (the same cases) must match. */
let plainOutcomes: Record<string, number> | undefined;
const GARBAGE_PER_KIND = 100;
const GARBAGE_CONCURRENCY = 8;

Deno.test(`${CASES} bad requests on an auth-enabled master: 401/403 without a valid token, no crash, no state change`, async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-fuzz-auth-" });
  const args = await authClusterArgs(dir);
  const cluster = await startCluster(1, 2, args.master, undefined, {
    workerArgs: args.worker,
    restHeaders: { authorization: `Bearer ${VIEWER}` },
  });
  try {
    const target: AuthFuzzTarget = { url: cluster.url, client, cliFlags: [], workers: 1 };
    const job = runOperatorJob(target, `${dir}/out`);
    plainOutcomes = Object.fromEntries([...await fuzzAuthCases(target, CASES, SEED)].sort());
    console.log("outcomes:", plainOutcomes);
    await assertOnlyTheOperatorsJob(target, job, `${dir}/out`);
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

/** Sends `GARBAGE_PER_KIND` cases of each kind to `target`; after each kind, `stillServes`. */
async function tlsGarbage(
  target: TlsGarbageTarget,
  seed: number,
  stillServes: () => Promise<void>,
): Promise<Record<string, string>> {
  const rnd = prng(seed);
  const table: Record<string, string> = {};
  for (const kind of TLS_GARBAGE_KINDS) {
    const ended = new Map<string, number>();
    let slowestMs = 0;
    let next = 0;
    const loop = async () => {
      while (next++ < GARBAGE_PER_KIND) {
        const o = await tlsGarbageCase(kind, rnd, target);
        const where = `${kind} to port ${target.port}: ${o.ended}`;
        if (kind === "another CA") {
          assert.match(o.ended, /^refused by the client: .*UnknownIssuer/, where);
        } else if (kind === "closed mid-handshake") {
          assert.match(o.ended, /^closed by the client|^reset by/, where);
        } else assert.match(o.ended, /^(closed|reset) by the server$/, where);
        const key = o.ended.replace(/: .*/, "");
        ended.set(key, (ended.get(key) ?? 0) + 1);
        slowestMs = Math.max(slowestMs, o.closeMs ?? 0);
      }
    };
    await Promise.all(Array.from({ length: GARBAGE_CONCURRENCY }, loop));
    await stillServes();
    table[kind] = [...ended].map(([e, n]) => `${n} ${e}`).join(", ") +
      (slowestMs > 0 ? ` (slowest close ${slowestMs.toFixed(0)} ms)` : "");
  }
  return table;
}

Deno.test(`${CASES} bad requests on an auth-enabled TLS master, and TLS-level garbage on its port and a data port: closed promptly, no crash, no state change`, async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "spate-fuzz-auth-tls-" });
  const certs = await makeTestCerts(`${dir}/certs`);
  const otherCerts = await makeTestCerts(`${dir}/other-certs`);
  const ca = await Deno.readTextFile(certs.ca);
  const args = await authClusterArgs(dir);
  // Two workers of one slot: the operator's job shuffles across the TLS data plane.
  const cluster = await startTlsCluster(certs, 2, 1, false, {
    masterArgs: args.master,
    workerArgs: args.worker,
    token: VIEWER,
  });
  const tlsClient = Deno.createHttpClient({ http1: false, http2: true, caCerts: [ca] });
  try {
    const target: AuthFuzzTarget = {
      url: cluster.url,
      client: tlsClient,
      cliFlags: ["--tls-ca", certs.ca],
      workers: 2,
    };
    const job = runOperatorJob(target, `${dir}/out`);
    const hello = await captureClientHello(ca);
    const otherCa = await Deno.readTextFile(otherCerts.ca);
    const master = new URL(cluster.url);
    const data = new URL((await dataAddresses(target))[0]);
    assert.equal(data.protocol, "https:");
    await t.step(
      `TLS-level garbage, ${GARBAGE_PER_KIND} of each kind, on the master's port`,
      async () => {
        const table = await tlsGarbage(
          { hostname: master.hostname, port: Number(master.port), hello, otherCa },
          31,
          async () => {
            assert.equal((await viewerGet(target, "/api/v1/overview")).taskmanagers, 2);
          },
        );
        console.log("master port:", table);
      },
    );
    await t.step(
      `TLS-level garbage, ${GARBAGE_PER_KIND} of each kind, on a worker's data port`,
      async () => {
        const table = await tlsGarbage(
          { hostname: data.hostname, port: Number(data.port), hello, otherCa },
          32,
          async () => {
            const res = await fetch(`${data.origin}/metrics`, { client: tlsClient } as RequestInit);
            assert.equal(res.status, 200, await res.text());
          },
        );
        console.log("data port:", table);
      },
    );
    await t.step(
      `the same ${CASES} REST, RPC and data cases over TLS, handshakes stalled meanwhile`,
      async () => {
        // Peers that stop halfway through their hello, on both ports, while the cases run.
        const rnd = prng(33);
        const bound = TLS_HANDSHAKE_TIMEOUT_MS + CLOSE_BOUND_MS;
        const stalled = [master, master, master, data, data, data].map((u) =>
          stalledHandshake(
            rnd,
            { hostname: u.hostname, port: Number(u.port), hello, otherCa },
            bound,
          )
        );
        const outcomes = Object.fromEntries([...await fuzzAuthCases(target, CASES, SEED)].sort());
        console.log("outcomes:", outcomes);
        if (plainOutcomes !== undefined) {
          assert.deepEqual(outcomes, plainOutcomes, "the same outcomes as over plain HTTP");
        }
        const ends = await Promise.all(stalled);
        for (const o of ends) assert.match(o.ended, /^(closed|reset) by the server$/, o.ended);
        const slowest = Math.max(...ends.map((o) => o.closeMs ?? 0));
        console.log(
          `${ends.length} stalled handshakes closed by the server, slowest after ${
            slowest.toFixed(0)
          } ms`,
        );
      },
    );
    await assertOnlyTheOperatorsJob(target, job, `${dir}/out`);
  } catch (e) {
    const logs = [cluster.master, ...cluster.workers].map((p) => p.stderr().slice(-4000));
    throw new Error(`${(e as Error).message}\n--- cluster logs (tails) ---\n${logs.join("\n")}`);
  } finally {
    tlsClient.close();
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
