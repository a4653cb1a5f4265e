import assert from "node:assert/strict";
import { type Candidate, ElectionCore, type ElectionEffect } from "./election_core.ts";

const PREFIX = "/spate/c1/leader/";
const ME = "http://m1:8081";

function core(sessionTtlMs = 3000): ElectionCore {
  return new ElectionCore({
    prefix: PREFIX,
    url: ME,
    sessionTtlMs,
    retryInitialMs: 250,
    retryMaxMs: 4000,
  });
}

/** The effects' types, with the detail tests look at. */
function brief(effects: ElectionEffect[]): string[] {
  return effects.map((e) => {
    switch (e.type) {
      case "elected":
        return `elected ${e.leadership.token}`;
      case "lost":
        return `lost: ${e.reason}`;
      case "leaderChanged":
        return `leader ${e.leader ? `${e.leader.url} ${e.leader.token}` : "none"}`;
      case "log":
        return `log: ${e.line}`;
      case "watch":
        return `watch ${e.fromRevision}`;
      case "register":
        return `register ${e.key}`;
      default:
        return e.type;
    }
  });
}

const mine = (rev: number): Candidate => ({ key: `${PREFIX}a`, value: ME, createRevision: rev });
const other = (rev: number): Candidate => ({
  key: `${PREFIX}b`,
  value: "http://m2:8081",
  createRevision: rev,
});

/** A candidate that leads with token 10 since t = 12 (lease 0xa, granted at t = 0). */
function leader(): ElectionCore {
  const c = core();
  c.campaign(0);
  c.leaseGranted(5, "10", 3000);
  c.registered(9, "10", 10);
  c.read(12, 10, [mine(10)]);
  return c;
}

Deno.test("a lone candidate grants, registers, reads, is elected and watches", () => {
  const c = core();
  assert.deepEqual(brief(c.campaign(0)), ["grantLease"]);
  assert.deepEqual(brief(c.leaseGranted(5, "10", 3000)), [`register ${PREFIX}a`]);
  assert.deepEqual(brief(c.registered(9, "10", 10)), ["read"]);
  assert.deepEqual(brief(c.read(12, 10, [mine(10)])), [
    `leader ${ME} 10`,
    "elected 10",
    "watch 11",
  ]);
  assert.deepEqual(c.currentLeadership, { key: `${PREFIX}a`, url: ME, token: 10 });
  // The lease is renewed every third of its TTL, counted from when the grant was sent.
  assert.equal(c.nextWakeMs(), 1000);
  assert.deepEqual(brief(c.tick(1000)), ["keepAlive"]);
  assert.deepEqual(brief(c.keptAlive(1004, "10", 3000)), []);
  assert.equal(c.nextWakeMs(), 2000);
});

Deno.test("a standby sees the leader, and leads once the older key is deleted", () => {
  const c = core();
  c.campaign(0);
  c.leaseGranted(5, "10", 3000);
  c.registered(9, "10", 20);
  assert.deepEqual(brief(c.read(12, 20, [other(15), mine(20)])), [
    "leader http://m2:8081 15",
    "watch 21",
  ]);
  assert.equal(c.currentLeadership, undefined);
  assert.deepEqual(brief(c.changed(500)), ["read"]);
  assert.deepEqual(brief(c.read(510, 22, [mine(20)])), [`leader ${ME} 20`, "elected 20"]);
});

Deno.test("a leader whose renewals fail steps down at the TTL, and leads again with the same token once etcd confirms the lease", () => {
  const c = leader();
  c.tick(1000);
  assert.deepEqual(brief(c.keepAliveFailed(1500, "10", "etcd down")), [
    "log: etcd down; next try in 1000 ms",
  ]);
  // Leadership ends at the send time of the last confirmed renewal (the grant) + TTL.
  assert.equal(c.nextWakeMs(), 2500);
  assert.deepEqual(brief(c.tick(2500)), ["keepAlive"]);
  assert.deepEqual(brief(c.keepAliveFailed(2999, "10", "etcd down")), [
    "log: etcd down; next try in 1000 ms",
  ]);
  assert.equal(c.nextWakeMs(), 3000);
  assert.deepEqual(brief(c.tick(3000)), [
    "lost: lease not renewed within its 3000 ms TTL (etcd unreachable?)",
  ]);
  assert.equal(c.currentLeadership, undefined);
  c.tick(3999);
  assert.deepEqual(brief(c.keptAlive(3100, "10", 3000)), ["read"]);
  assert.deepEqual(brief(c.read(3110, 30, [mine(10)])), ["elected 10"]);
});

Deno.test("a lease etcd no longer has ends the term and starts a new session", () => {
  const c = leader();
  c.tick(1000);
  assert.deepEqual(brief(c.keptAlive(1010, "10", 0)), [
    "lost: lease expired in etcd",
    "grantLease",
  ]);
  assert.deepEqual(brief(c.leaseGranted(1020, "11", 3000)), [`register ${PREFIX}b`]);
  assert.deepEqual(brief(c.failed(1030, "register", "lease gone", true)), ["grantLease"]);
});

Deno.test("a read without this candidate's key ends the term; revokes and campaigns anew", () => {
  const c = leader();
  assert.deepEqual(brief(c.changed(100)), ["read"]);
  assert.deepEqual(brief(c.read(110, 12, [other(11)])), [
    "leader http://m2:8081 11",
    "lost: candidate key deleted in etcd",
    "revoke",
    "grantLease",
  ]);
});

Deno.test("failed calls retry with a capped exponential backoff, one line each", () => {
  const c = core();
  c.campaign(0);
  const delays: number[] = [];
  let now = 0;
  for (let i = 0; i < 7; i++) {
    const [log] = c.failed(now, "grant", "etcd grant lease at http://e:2379 failed: refused");
    assert.equal(log.type, "log");
    assert.match(
      (log as { line: string }).line,
      /^etcd grant lease .* refused; retry \d+ in \d+ ms$/,
    );
    const wake = c.nextWakeMs()!;
    delays.push(wake - now);
    assert.deepEqual(brief(c.tick(wake - 1)), []);
    assert.deepEqual(brief(c.tick(wake)), ["grantLease"]);
    now = wake + 1;
  }
  assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 4000, 4000]);
  c.leaseGranted(now, "10", 3000);
  c.failed(now + 1, "register", "timeout");
  assert.equal(c.nextWakeMs(), now + 1 + 250, "a success resets the backoff");
});

Deno.test("resign gives leadership up and revokes; close ignores later answers", () => {
  const c = leader();
  assert.deepEqual(brief(c.resign(100)), ["lost: resigned", "revoke"]);
  assert.equal(c.nextWakeMs(), undefined);
  assert.deepEqual(brief(c.campaign(200)), ["grantLease"]);
  assert.deepEqual(brief(c.close()), []);
  assert.deepEqual(brief(c.leaseGranted(300, "12", 3000)), ["revoke"], "a late lease is revoked");
  assert.deepEqual(brief(c.changed(400)), [], "closed: nothing more");
  assert.deepEqual(brief(leader().close()), ["lost: closed", "revoke"]);
});

Deno.test("a lease granted after resign is revoked at once", () => {
  const c = core();
  c.campaign(0);
  c.resign(1);
  assert.deepEqual(brief(c.leaseGranted(5, "10", 3000)), ["revoke"]);
});

Deno.test("an observer reads and watches but never campaigns", () => {
  const c = core();
  assert.deepEqual(brief(c.observe(0)), ["read"]);
  assert.deepEqual(brief(c.read(5, 7, [])), ["watch 8"]);
  assert.deepEqual(brief(c.changed(10)), ["read"]);
  assert.deepEqual(brief(c.read(15, 9, [other(9)])), ["leader http://m2:8081 9"]);
  assert.deepEqual(brief(c.watchFailed(20, "etcd watch failed: compacted")), [
    "log: etcd watch failed: compacted; watching again after a new read",
    "read",
  ]);
  assert.deepEqual(brief(c.read(25, 12, [])), ["leader none", "watch 13"]);
});

Deno.test("with a long TTL a failed renewal is retried within a second, and the lease kept", () => {
  const c = core(20_000);
  c.campaign(0);
  c.leaseGranted(5, "10", 20_000);
  c.registered(9, "10", 10);
  c.read(12, 10, [mine(10)]);
  // Renewals every third of the TTL; a failed one is tried again after 1 s, not 6.7 s.
  assert.deepEqual(brief(c.tick(6666)), ["keepAlive"]);
  assert.deepEqual(brief(c.keepAliveFailed(6700, "10", "etcd down")), [
    "log: etcd down; next try in 1000 ms",
  ]);
  assert.equal(c.nextWakeMs(), 7700);
  assert.deepEqual(brief(c.tick(7700)), ["keepAlive"]);
  assert.deepEqual(brief(c.keptAlive(7710, "10", 20_000)), []);
  assert.equal(c.currentLeadership?.token, 10);
});
