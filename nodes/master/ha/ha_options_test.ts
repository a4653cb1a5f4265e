import assert from "node:assert/strict";
import { clusterIdError, haKeys, parseEtcdEndpoints, resolveEtcdHaOptions } from "./ha_options.ts";

Deno.test("resolveEtcdHaOptions fills defaults and derives the request deadline", () => {
  assert.deepEqual(resolveEtcdHaOptions({ endpoints: ["http://e:2379"] }), {
    endpoints: ["http://e:2379"],
    clusterId: "default",
    sessionTtlMs: 3000,
    retryInitialMs: 250,
    retryMaxMs: 4000,
    requestTimeoutMs: 1000,
  });
});

Deno.test("resolveEtcdHaOptions rejects what etcd or the keys cannot take, saying what to give", () => {
  const e = ["http://e:2379"];
  assert.throws(() => resolveEtcdHaOptions({ endpoints: e, sessionTtlMs: 2500 }), /whole seconds/);
  assert.throws(() => resolveEtcdHaOptions({ endpoints: e, sessionTtlMs: 0 }), /whole seconds/);
  assert.throws(() => resolveEtcdHaOptions({ endpoints: [] }), /at least one endpoint/);
  assert.throws(
    () => resolveEtcdHaOptions({ endpoints: e, clusterId: "a/b" }),
    /cluster id 'a\/b' is not valid/,
  );
  assert.throws(
    () => resolveEtcdHaOptions({ endpoints: e, retryInitialMs: 500, retryMaxMs: 100 }),
    /initial <= max/,
  );
});

Deno.test("cluster ids are plain names, so one cluster's prefix never holds another's keys", () => {
  for (const ok of ["default", "prod-1", "a.b_c"]) assert.equal(clusterIdError(ok), undefined);
  for (const bad of ["", "a/b", "-x", "a b", "x".repeat(65)]) assert.ok(clusterIdError(bad));
  assert.equal(haKeys("c1").leaderPrefix, "/spate/c1/leader/");
  assert.ok(!haKeys("c1-other").leaderPrefix.startsWith(haKeys("c1").leaderPrefix));
  assert.ok(!haKeys("c1-other").root.startsWith(haKeys("c1").root));
});

Deno.test("parseEtcdEndpoints splits a comma list and names a bad entry", () => {
  assert.deepEqual(parseEtcdEndpoints("http://a:2379, https://b:2379,"), [
    "http://a:2379",
    "https://b:2379",
  ]);
  assert.throws(() => parseEtcdEndpoints(""), /at least one URL/);
  assert.throws(() => parseEtcdEndpoints("a:2379"), /'a:2379' must start with http/);
  assert.throws(() => parseEtcdEndpoints("http://a:2379,nope"), /'nope' is not a URL/);
});
