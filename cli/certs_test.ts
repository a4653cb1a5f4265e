import assert from "node:assert/strict";
import { parseHosts } from "./certs.ts";

Deno.test("--hosts: comma-separated hosts, each with its + aliases", () => {
  assert.deepEqual(parseHosts(" a+10.0.0.5 , b,127.0.0.1,"), [
    { host: "a", aliases: ["10.0.0.5"] },
    { host: "b", aliases: [] },
    { host: "127.0.0.1", aliases: [] },
  ]);
});

Deno.test("--hosts: no host, a bad name or a host twice is a usage error", () => {
  assert.throws(() => parseHosts(" , "), /--hosts names no host/);
  assert.throws(() => parseHosts("a,b/c"), /'b\/c' is neither a host name nor an IP address/);
  assert.throws(() => parseHosts("a+,b"), /'' is neither/);
  assert.throws(() => parseHosts("a,b,a+x"), /--hosts names 'a' twice/);
});
