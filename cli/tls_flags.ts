/** The TLS flags of a command, read into PEM material (nodes/rpc/tls/). @module */

import type { OptionValues } from "../core/config/options.ts";
import { useClientTls } from "../nodes/rpc/tls/client_tls.ts";
import {
  clientTlsOf,
  type ServerTls,
  serverTlsOf,
  TlsConfigError,
  type TlsFiles,
} from "../nodes/rpc/tls/tls_material.ts";
import { UsageError } from "./usage.ts";

function files(v: OptionValues): TlsFiles {
  return { certFile: v.tlsCert, keyFile: v.tlsKey, caFile: v.tlsCa, clientAuth: v.tlsClientAuth };
}

function asUsage<T>(command: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof TlsConfigError) throw new UsageError(`spate ${command}: ${e.message}`);
    throw e;
  }
}

/**
 * Sets the process's client TLS from `--tls-ca` (and `--tls-cert`/`--tls-key`,
 * its identity for mutual TLS); a file that cannot be used is a usage error.
 */
export function configureClientTls(command: string, v: OptionValues): void {
  useClientTls(asUsage(command, () => clientTlsOf(files(v))));
}

/**
 * The server TLS of a master or worker (undefined: plain HTTP), after setting
 * the process's client TLS from the same flags.
 */
export function configureNodeTls(command: string, v: OptionValues): ServerTls | undefined {
  const tls = asUsage(command, () => serverTlsOf(files(v)));
  configureClientTls(command, v);
  return tls;
}
