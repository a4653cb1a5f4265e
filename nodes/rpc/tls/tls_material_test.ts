import assert from "node:assert/strict";
import { clientTlsOf, serverTlsOf } from "./tls_material.ts";

const dir = Deno.makeTempDirSync({ prefix: "spate-tls-material-" });
const cert = `${dir}/c.pem`;
const key = `${dir}/k.pem`;
Deno.writeTextFileSync(cert, "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
Deno.writeTextFileSync(key, "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

Deno.test("no TLS flag: plain HTTP on both sides", () => {
  assert.equal(serverTlsOf({}), undefined);
  assert.equal(clientTlsOf({}), undefined);
});

Deno.test("the material is read from the files the flags name", () => {
  const server = serverTlsOf({ certFile: cert, keyFile: key, caFile: cert, clientAuth: true });
  assert.match(server!.cert, /BEGIN CERTIFICATE/);
  assert.match(server!.key, /BEGIN PRIVATE KEY/);
  assert.equal(server!.clientAuth, true);
  assert.equal(clientTlsOf({ caFile: cert })!.identity, undefined);
  assert.match(clientTlsOf({ certFile: cert, keyFile: key })!.identity!.key, /PRIVATE KEY/);
});

Deno.test("unusable settings are errors naming the flag and the file", () => {
  assert.throws(
    () => serverTlsOf({ certFile: `${dir}/none.pem`, keyFile: key }),
    /--tls-cert \S+none\.pem: cannot read it \(no such file\)/,
  );
  assert.throws(
    () => serverTlsOf({ certFile: key, keyFile: key }),
    /--tls-cert \S+: holds no PEM certificate/,
  );
  assert.throws(() => clientTlsOf({ caFile: key }), /--tls-ca \S+k\.pem: holds no PEM certificate/);
  assert.throws(() => serverTlsOf({ certFile: cert }), /--tls-cert needs --tls-key/);
  assert.throws(() => serverTlsOf({ keyFile: key }), /--tls-key needs --tls-cert/);
  assert.throws(() => serverTlsOf({ clientAuth: true }), /--tls-client-auth needs --tls-cert/);
  assert.throws(
    () => serverTlsOf({ certFile: cert, keyFile: key, clientAuth: true }),
    /--tls-client-auth needs --tls-ca/,
  );
});
