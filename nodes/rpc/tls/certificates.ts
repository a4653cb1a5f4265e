/**
 * A certificate authority and node certificates for TLS between spate's
 * processes (`spate certs`), made with @peculiar/x509 on WebCrypto: ECDSA
 * P-256 keys, SHA-256 signatures. Each node certificate names its host and
 * aliases as subject alternative names (DNS names or IP addresses) and is
 * good both for serving and as a client identity (mutual TLS).
 * @module
 */

import "reflect-metadata"; // @peculiar/x509's dependency injection needs it, before the import
import * as x509 from "@peculiar/x509";
import { isIP } from "node:net";

x509.cryptoProvider.set(crypto);

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const DAY_MS = 24 * 3600 * 1000;
/** Clock skew between machines that a fresh certificate tolerates. */
const BACKDATE_MS = 3600 * 1000;

/** A certificate and its private key, in PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** A CA that signs node certificates. */
export interface CertificateAuthority extends PemPair {
  readonly keys: CryptoKeyPair;
  readonly certificate: x509.X509Certificate;
}

function keyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

/** A random positive 128-bit serial number, in hex. */
function serialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - BACKDATE_MS), notAfter: new Date(now + days * DAY_MS) };
}

/** The characters a host name or alias may have (DNS labels, IPv4, IPv6). */
const HOST = /^[A-Za-z0-9.:-]+$/;

/**
 * Why `host` cannot be a certificate's name, or undefined when it can.
 *
 * @example
 * ```ts
 * import { badHostName } from "./certificates.ts";
 * badHostName("worker-1.example"); // undefined
 * badHostName("a/b"); // "'a/b' is neither a host name nor an IP address"
 * ```
 */
export function badHostName(host: string): string | undefined {
  return HOST.test(host) && !host.startsWith("-") && !host.startsWith(".")
    ? undefined
    : `'${host}' is neither a host name nor an IP address`;
}

/**
 * A new self-signed CA named `name`, valid for `days`.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority } from "./certificates.ts";
 * const ca = await createCertificateAuthority("spate test CA", 1);
 * ca.cert.startsWith("-----BEGIN CERTIFICATE-----"); // true
 * ```
 */
export async function createCertificateAuthority(
  name: string,
  days: number,
): Promise<CertificateAuthority> {
  const keys = await keyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [name] }],
    ...validity(days),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    keys,
    certificate,
    cert: certificate.toString("pem"),
    key: await keyPem(keys.privateKey),
  };
}

/**
 * A certificate for `host` (and its `aliases`), signed by `ca`, valid for
 * `days`: names become DNS names, addresses IP addresses.
 *
 * @example
 * ```ts
 * import { createCertificateAuthority, createNodeCertificate } from "./certificates.ts";
 * const ca = await createCertificateAuthority("spate test CA", 1);
 * const node = await createNodeCertificate(ca, "worker-1", ["127.0.0.1"], 1);
 * node.key.startsWith("-----BEGIN PRIVATE KEY-----"); // true
 * ```
 */
export async function createNodeCertificate(
  ca: CertificateAuthority,
  host: string,
  aliases: readonly string[],
  days: number,
): Promise<PemPair> {
  for (const h of [host, ...aliases]) {
    const bad = badHostName(h);
    if (bad !== undefined) throw new Error(bad);
  }
  const keys = await keyPair();
  const names = [...new Set([host, ...aliases])].map((h) =>
    isIP(h) === 0 ? { type: "dns" as const, value: h } : { type: "ip" as const, value: h }
  );
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: [{ CN: [host] }],
    issuer: ca.certificate.subject,
    ...validity(days),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([
        x509.ExtendedKeyUsage.serverAuth,
        x509.ExtendedKeyUsage.clientAuth,
      ]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString("pem"), key: await keyPem(keys.privateKey) };
}
