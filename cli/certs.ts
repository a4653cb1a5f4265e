/**
 * `spate certs --out DIR --hosts a,b+10.0.0.5,127.0.0.1`: a new CA and one
 * certificate per host for TLS between spate's processes (tests and small
 * clusters; a production cluster takes certificates from its own CA).
 * @module
 */

import { OPTIONS } from "../core/config/options.ts";
import {
  badHostName,
  createCertificateAuthority,
  createNodeCertificate,
} from "../nodes/rpc/tls/certificates.ts";
import { parseFlags } from "./flags.ts";
import { UsageError } from "./usage.ts";

/** One `--hosts` entry: a host and the other names its certificate is good for. */
export interface HostEntry {
  readonly host: string;
  readonly aliases: string[];
}

/**
 * The entries of `--hosts`: comma-separated, each `host[+alias...]`.
 *
 * @example
 * ```ts
 * import { parseHosts } from "./certs.ts";
 * parseHosts("a+10.0.0.5,127.0.0.1");
 * // [{ host: "a", aliases: ["10.0.0.5"] }, { host: "127.0.0.1", aliases: [] }]
 * ```
 */
export function parseHosts(list: string): HostEntry[] {
  const entries = list.split(",").map((e) => e.trim()).filter((e) => e !== "").map((e) => {
    const [host, ...aliases] = e.split("+").map((n) => n.trim());
    for (const name of [host, ...aliases]) {
      const bad = badHostName(name);
      if (bad !== undefined) throw new UsageError(`spate certs: --hosts: ${bad}`);
    }
    return { host, aliases };
  });
  if (entries.length === 0) throw new UsageError("spate certs: --hosts names no host");
  const hosts = entries.map((e) => e.host);
  const twice = hosts.find((h, i) => hosts.indexOf(h) !== i);
  if (twice !== undefined) throw new UsageError(`spate certs: --hosts names '${twice}' twice`);
  return entries;
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates `path` (never overwrites it) with `text`, readable by its owner only when `secret`. */
async function writeFile(path: string, text: string, secret: boolean): Promise<void> {
  await Deno.writeTextFile(path, text, { mode: secret ? 0o600 : 0o644, createNew: true });
}

/** Runs `spate certs`; returns the exit code. */
export async function certsCommand(args: string[]): Promise<number> {
  const { values: v } = parseFlags("certs", args);
  if (v.certsOutDir === undefined) throw new UsageError("spate certs: --out DIR is needed");
  if (v.certsHosts === undefined) throw new UsageError("spate certs: --hosts LIST is needed");
  const entries = parseHosts(v.certsHosts);
  const days = v.certsValidDays ?? OPTIONS.certsValidDays.default;
  const dir = v.certsOutDir.replace(/\/+$/, "") || "/";
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`spate certs: --out ${dir}: cannot create it (${(e as Error).message})`);
  }
  // A new CA over an old one would strand every certificate the old one signed.
  const targets = [
    "ca.pem",
    "ca-key.pem",
    ...entries.flatMap((e) => [`${e.host}.pem`, `${e.host}-key.pem`]),
  ];
  const existing = targets.filter((name) => exists(`${dir}/${name}`));
  if (existing.length > 0) {
    throw new UsageError(
      `spate certs: ${dir} already holds ${existing.join(", ")}: choose another --out, or ` +
        "remove them to start over (a new CA invalidates the certificates of the old one)",
    );
  }
  const ca = await createCertificateAuthority(`spate CA ${new Date().toISOString()}`, days);
  await writeFile(`${dir}/ca.pem`, ca.cert, false);
  await writeFile(`${dir}/ca-key.pem`, ca.key, true);
  const lines = [`${dir}/ca.pem (CA certificate: --tls-ca), ${dir}/ca-key.pem (CA key)`];
  for (const { host, aliases } of entries) {
    const node = await createNodeCertificate(ca, host, aliases, days);
    await writeFile(`${dir}/${host}.pem`, node.cert, false);
    await writeFile(`${dir}/${host}-key.pem`, node.key, true);
    lines.push(`${dir}/${host}.pem, ${dir}/${host}-key.pem (${[host, ...aliases].join(", ")})`);
  }
  console.log(lines.join("\n"));
  console.error(`spate certs: valid for ${days} days; keys are readable by their owner only`);
  return 0;
}
