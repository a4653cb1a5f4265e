/**
 * The cluster secret: a shared key (read from a file) that masters and
 * workers prove they hold with HMAC-SHA256 over nonces, never sending it.
 * WebCrypto does the HMAC and its constant-time check.
 * @module
 */

/** Fewest bytes a cluster secret file must hold (after trimming whitespace). */
export const MIN_SECRET_BYTES = 16;

/**
 * A loaded cluster secret: signs and checks messages.
 *
 * @example
 * ```ts
 * import { ClusterSecret } from "./cluster_secret.ts";
 * const secret = await ClusterSecret.fromText("0123456789abcdef0123", "inline");
 * const mac = await secret.sign("hello");
 * console.assert(await secret.verify("hello", mac));
 * ```
 */
export class ClusterSecret {
  private constructor(
    /** The HMAC key (not extractable): it may be posted to a Web Worker, which rebuilds the secret. */
    readonly key: CryptoKey,
  ) {}

  /** The secret of `key` (what `key` of a ClusterSecret was, posted to a slot). */
  static fromKey(key: CryptoKey): ClusterSecret {
    return new ClusterSecret(key);
  }

  /** The secret in `text` (trimmed); `source` names it in errors. */
  static async fromText(text: string, source: string): Promise<ClusterSecret> {
    const bytes = new TextEncoder().encode(text.trim());
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new Error(
        `cluster secret ${source} holds ${bytes.length} bytes, fewer than ${MIN_SECRET_BYTES}: ` +
          "put a long random string in it (openssl rand -hex 32 > FILE)",
      );
    }
    const key = await crypto.subtle.importKey(
      "raw",
      bytes,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    return new ClusterSecret(key);
  }

  /** The secret in the file at `path`. */
  static async load(path: string): Promise<ClusterSecret> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(`cannot read the cluster secret file ${path}: ${(e as Error).message}`);
    }
    return await ClusterSecret.fromText(text, `file ${path}`);
  }

  /** HMAC-SHA256 of `message`, as hex. */
  async sign(message: string): Promise<string> {
    const mac = await crypto.subtle.sign("HMAC", this.key, new TextEncoder().encode(message));
    return toHex(new Uint8Array(mac));
  }

  /** Whether `macHex` is the HMAC of `message` (compared in constant time by WebCrypto). */
  async verify(message: string, macHex: string): Promise<boolean> {
    const mac = fromHex(macHex);
    if (mac === undefined) return false;
    return await crypto.subtle.verify("HMAC", this.key, mac, new TextEncoder().encode(message));
  }
}

/** `bytes` as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> | undefined {
  if (hex.length !== 64 || !/^[0-9a-f]+$/.test(hex)) return undefined;
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A random value of `bytes` bytes as hex (nonces). */
export function randomHex(bytes = 16): string {
  return toHex(crypto.getRandomValues(new Uint8Array(bytes)));
}
