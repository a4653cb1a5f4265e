import assert from "node:assert/strict";
import { ClusterSecret } from "./cluster_secret.ts";
import { PeerGate } from "./peer_gate.ts";
import { CHALLENGE_PATH, PeerVerifier, PROOF_HEADERS, provePeer } from "./peer_proof.ts";
import { closeSessions } from "../h2_client.ts";

const LIMITS = { authFailureLimit: 3, authFailureWindowMs: 60_000 };

/** A server on loopback whose POST /check admits proofs of `secret` for "data". */
async function withServer(
  secret: ClusterSecret,
  test: (url: string, logs: string[]) => Promise<void>,
): Promise<void> {
  const logs: string[] = [];
  const gate = new PeerGate(secret, LIMITS, (l) => logs.push(l));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (new URL(req.url).pathname === CHALLENGE_PATH) return gate.challenge("peer");
    const admitted = await gate.admit(req, "peer", "data", "a test stream");
    return admitted instanceof Response ? admitted : new Response("ok", { headers: admitted });
  });
  try {
    await test(`http://127.0.0.1:${server.addr.port}`, logs);
  } finally {
    closeSessions();
    await server.shutdown();
  }
}

const check = (url: string, headers: Record<string, string>) =>
  fetch(`${url}/check`, { method: "POST", headers });

Deno.test("peer proof: the right secret passes both ways; a replay and a wrong secret do not", async () => {
  const secret = await ClusterSecret.fromText("the-cluster-secret-of-test-1", "test");
  const other = await ClusterSecret.fromText("another-cluster-secret-here", "test");
  await withServer(secret, async (url, logs) => {
    const proof = await provePeer(url, secret, "data");
    const ok = await check(url, proof.headers);
    assert.equal(ok.status, 200, await ok.text());
    await proof.checkServer(ok.headers.get(PROOF_HEADERS.serverProof));

    const replay = await check(url, proof.headers);
    assert.equal(replay.status, 401);
    assert.match(await replay.text(), /unknown, used or expired nonce/);

    const wrong = await check(url, (await provePeer(url, other, "data")).headers);
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /wrong cluster secret/);

    const otherPurpose = await check(url, (await provePeer(url, secret, "rpc")).headers);
    assert.equal(otherPurpose.status, 401);
    assert.equal(logs.length, 4);
    assert.match(logs[1], /refused a test stream from peer: a wrong cluster secret/);
    assert.match(logs[3], /3 failed authentications from peer within 60000 ms/);

    // Three failures: the peer now waits, whatever it sends.
    const blocked = await check(
      url,
      (await provePeer(url, secret, "data").catch(() => proof)).headers,
    );
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    await blocked.body?.cancel();
  });
});

Deno.test("peer proof: a client refuses a server that cannot prove the secret", async () => {
  const secret = await ClusterSecret.fromText("the-cluster-secret-of-test-2", "test");
  const other = await ClusterSecret.fromText("another-cluster-secret-here", "test");
  await withServer(other, async (url) => {
    const proof = await provePeer(url, secret, "data");
    await assert.rejects(proof.checkServer("00".repeat(32)), /did not prove the cluster secret/);
    await assert.rejects(proof.checkServer(null), /did not prove/);
  });
});

Deno.test("PeerVerifier: a nonce expires and the outstanding ones are bounded", async () => {
  const secret = await ClusterSecret.fromText("the-cluster-secret-of-test-3", "test");
  let now = 0;
  const v = new PeerVerifier(secret, () => now, 1000, 2);
  const first = v.issue();
  v.issue();
  v.issue(); // forgets `first`
  const headers = (nonce: string) =>
    new Headers({
      [PROOF_HEADERS.nonce]: nonce,
      [PROOF_HEADERS.clientNonce]: "c",
      [PROOF_HEADERS.proof]: "00".repeat(32),
    });
  assert.deepEqual(await v.verify(headers(first), "rpc"), {
    ok: false,
    reason: "a proof with an unknown, used or expired nonce",
  });
  const late = v.issue();
  now = 1000;
  assert.equal((await v.verify(headers(late), "rpc")).ok, false);
});

Deno.test("ClusterSecret: a short secret is refused with how to make one", async () => {
  await assert.rejects(
    ClusterSecret.fromText(" short \n", "file s.txt"),
    /file s\.txt holds 5 bytes, fewer than 16.*openssl rand/,
  );
});
