import assert from "node:assert/strict";
import { tlsFailure } from "./tls_errors.ts";

const https = "https://127.0.0.1:8081";

Deno.test("TLS failures of fetch and node:tls are named with what to do", () => {
  const fetchError = new TypeError("fetch failed", {
    cause: new Error("client error (Connect): invalid peer certificate: UnknownIssuer"),
  });
  assert.match(tlsFailure(fetchError, https)!, /not signed by a CA this client trusts.*--tls-ca/);
  assert.match(
    tlsFailure(new Error("unable to verify the first certificate"), https)!,
    /not signed by a CA this client trusts/,
  );
  assert.match(
    tlsFailure(new Error("invalid peer certificate: NotValidForName"), https)!,
    /not valid for the host in https:\/\/127\.0\.0\.1:8081/,
  );
  assert.match(
    tlsFailure(new Error("received fatal alert: CertificateRequired"), https)!,
    /needs a client certificate.*--tls-cert and --tls-key/,
  );
  assert.match(
    tlsFailure(new Error("SendRequest: invalid HTTP version parsed"), "http://127.0.0.1:8081")!,
    /did not answer plain HTTP.*use https:\/\//,
  );
});

Deno.test("other errors are not TLS failures", () => {
  assert.equal(tlsFailure(new Error("Connection refused (os error 111)"), https), undefined);
  assert.equal(
    tlsFailure(new Error("invalid peer certificate: UnknownIssuer"), "http://x"),
    undefined,
  );
});
