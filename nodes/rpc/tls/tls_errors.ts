/**
 * What went wrong in a TLS handshake, in words a user can act on, from the
 * errors of Deno's `fetch` (rustls) and of `node:tls` (OpenSSL names).
 * @module
 */

/** Every message of `e` and its causes, outermost first. */
function messages(e: unknown): string {
  const all: string[] = [];
  for (let x = e; x instanceof Error; x = x.cause) all.push(x.message);
  return all.length === 0 ? String(e) : all.join(" | ");
}

const UNTRUSTED =
  /UnknownIssuer|unable to verify|self[- ]signed certificate|unable to get (local )?issuer|certificate verify failed|BadSignature/i;
const WRONG_NAME =
  /NotValidForName|does not match certificate|Hostname\/IP does not match|ERR_TLS_CERT_ALTNAME/i;
const EXPIRED = /Expired|NotValidYet|certificate has expired|not yet valid/i;
const CLIENT_CERT =
  /CertificateRequired|peer sent no certificates|alert certificate required|client certificate signed by the cluster's CA is needed/i;
const CLIENT_CERT_REFUSED = /UnknownCA|alert unknown ca|BadCertificate|bad certificate/i;
const NOT_TLS =
  /wrong version number|InvalidContentType|corrupt message|packet length too long|http request/i;
const NOT_HTTP =
  /invalid HTTP version|HTTP\/1\.1 parse|invalid response|Parse\(Version\)|does not match the HTTP\/1\.1 protocol/i;

/**
 * A clear reason when `e` (from a connection to `url`) is a TLS failure, or
 * undefined for any other error.
 *
 * @example
 * ```ts
 * import { tlsFailure } from "./tls_errors.ts";
 * tlsFailure(new Error("invalid peer certificate: UnknownIssuer"), "https://m:8081");
 * // "TLS: the server's certificate is not signed by a CA this client trusts (invalid peer
 * // certificate: UnknownIssuer); give the cluster's CA with --tls-ca"
 * ```
 */
export function tlsFailure(e: unknown, url: string): string | undefined {
  const text = messages(e);
  const last = text.split(" | ").at(-1)!;
  const https = url.startsWith("https:");
  if (https && UNTRUSTED.test(text)) {
    return `TLS: the server's certificate is not signed by a CA this client trusts (${last}); ` +
      "give the cluster's CA with --tls-ca";
  }
  if (https && WRONG_NAME.test(text)) {
    return `TLS: the server's certificate is not valid for the host in ${url} (${last}); ` +
      "use a host its certificate names (spate certs --hosts)";
  }
  if (https && EXPIRED.test(text)) {
    return `TLS: a certificate is expired or not yet valid (${last})`;
  }
  if (https && CLIENT_CERT.test(text)) {
    return `TLS: the server needs a client certificate (${last}); give --tls-cert and --tls-key`;
  }
  if (https && CLIENT_CERT_REFUSED.test(text)) {
    return `TLS: the server refused this client's certificate (${last}); ` +
      "it must be signed by the server's --tls-ca";
  }
  if (https && NOT_TLS.test(text)) {
    return `TLS: the server does not speak TLS (${last}); use http:// for it`;
  }
  if (!https && NOT_HTTP.test(text)) {
    return `the server did not answer plain HTTP (${last}); if it serves TLS, use https:// ` +
      "(and --tls-ca)";
  }
  return undefined;
}
