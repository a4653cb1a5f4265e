import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { badHostName, createCertificateAuthority, createNodeCertificate } from "./certificates.ts";

Deno.test("a node certificate is issued by the CA and names its host and aliases", async () => {
  const ca = await createCertificateAuthority("test CA", 2);
  const node = await createNodeCertificate(ca, "worker-1", ["10.0.0.7", "::1", "w1.example"], 2);
  const caCert = new X509Certificate(ca.cert);
  const cert = new X509Certificate(node.cert);
  assert.equal(caCert.ca, true);
  assert.equal(cert.ca, false);
  assert.ok(cert.checkIssued(caCert));
  assert.ok(cert.verify(caCert.publicKey));
  assert.equal(cert.checkHost("worker-1"), "worker-1");
  assert.equal(cert.checkHost("w1.example"), "w1.example");
  assert.equal(cert.checkIP("10.0.0.7"), "10.0.0.7");
  assert.equal(cert.checkHost("other"), undefined);
  const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
  assert.ok(days > 1.9 && days <= 2, `valid for ${days} days`);
  assert.match(node.key, /^-----BEGIN PRIVATE KEY-----\n/);
});

Deno.test("names that are neither hosts nor addresses are refused", async () => {
  assert.equal(badHostName("127.0.0.1"), undefined);
  assert.equal(badHostName("fe80::1"), undefined);
  for (const bad of ["a/b", "-x", ".x", "a b", ""]) assert.ok(badHostName(bad), bad);
  const ca = await createCertificateAuthority("test CA", 1);
  await assert.rejects(() => createNodeCertificate(ca, "ok", ["../x"], 1), /'\.\.\/x' is neither/);
});
