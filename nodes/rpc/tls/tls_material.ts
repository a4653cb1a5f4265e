/**
 * The PEM material of a process's TLS, read from the files its flags name:
 * the server's certificate and key, the CA that peers are verified against,
 * and whether node connections need a client certificate. Files that cannot
 * be read, or that hold no PEM of the expected kind, are errors naming them.
 * @module
 */

/** The files of a process's TLS settings, as the flags give them. */
export interface TlsFiles {
  /** This process's certificate chain (PEM): served, and shown as client identity. */
  readonly certFile?: string;
  /** The private key of `certFile` (PEM). */
  readonly keyFile?: string;
  /** CA certificates (PEM) peers are verified against; absent: the default roots. */
  readonly caFile?: string;
  /** Node connections (RPC, data plane) need a client certificate the CA signed. */
  readonly clientAuth?: boolean;
}

/** A certificate and its key, in PEM. */
export interface TlsIdentity {
  readonly cert: string;
  readonly key: string;
}

/** What a client verifies servers against, and the identity it shows when asked. */
export interface ClientTls {
  /** CA certificates (PEM); absent: the default roots. */
  readonly ca?: string;
  readonly identity?: TlsIdentity;
}

/** What a TLS server needs: its identity, and the CA of client certificates. */
export interface ServerTls extends TlsIdentity {
  readonly ca?: string;
  readonly clientAuth: boolean;
}

/** A TLS setting that cannot be used: the message names the flag and the file. */
export class TlsConfigError extends Error {
  override readonly name = "TlsConfigError";
}

/** The PEM text of `file`, which must hold a block labelled with one of `labels`. */
function readPem(flag: string, file: string, labels: RegExp, what: string): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new TlsConfigError(`--${flag} ${file}: cannot read it (${why})`);
  }
  if (!new RegExp(`-----BEGIN (${labels.source})-----`).test(text)) {
    throw new TlsConfigError(`--${flag} ${file}: holds no PEM ${what}`);
  }
  return text;
}

function readCert(flag: string, file: string): string {
  return readPem(flag, file, /CERTIFICATE/, "certificate (-----BEGIN CERTIFICATE-----)");
}

function readIdentity(files: TlsFiles): TlsIdentity | undefined {
  if (files.certFile === undefined && files.keyFile === undefined) return undefined;
  if (files.certFile === undefined) throw new TlsConfigError("--tls-key needs --tls-cert");
  if (files.keyFile === undefined) throw new TlsConfigError("--tls-cert needs --tls-key");
  return {
    cert: readCert("tls-cert", files.certFile),
    key: readPem(
      "tls-key",
      files.keyFile,
      /(?:RSA |EC |ENCRYPTED )?PRIVATE KEY/,
      "private key (-----BEGIN PRIVATE KEY-----)",
    ),
  };
}

/**
 * The client side of `files`: the CA, and the certificate shown to servers
 * that ask for one; undefined when no TLS flag is given.
 *
 * @example
 * ```ts
 * import { clientTlsOf } from "./tls_material.ts";
 * clientTlsOf({}); // undefined: plain HTTP, or the default roots for https:// URLs
 * ```
 */
export function clientTlsOf(files: TlsFiles): ClientTls | undefined {
  const identity = readIdentity(files);
  const ca = files.caFile === undefined ? undefined : readCert("tls-ca", files.caFile);
  if (identity === undefined && ca === undefined) return undefined;
  return { ca, identity };
}

/**
 * The server side of `files`: undefined without --tls-cert and --tls-key
 * (the server speaks plain HTTP), an error for --tls-client-auth without them
 * or without --tls-ca.
 *
 * @example
 * ```ts
 * import { serverTlsOf } from "./tls_material.ts";
 * serverTlsOf({}); // undefined
 * ```
 */
export function serverTlsOf(files: TlsFiles): ServerTls | undefined {
  const identity = readIdentity(files);
  if (identity === undefined) {
    if (files.clientAuth) {
      throw new TlsConfigError("--tls-client-auth needs --tls-cert and --tls-key");
    }
    return undefined;
  }
  if (files.clientAuth && files.caFile === undefined) {
    throw new TlsConfigError(
      "--tls-client-auth needs --tls-ca (the CA client certificates are verified against)",
    );
  }
  const ca = files.caFile === undefined ? undefined : readCert("tls-ca", files.caFile);
  return { ...identity, ca, clientAuth: files.clientAuth ?? false };
}
