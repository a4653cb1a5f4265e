/**
 * Bearer tokens of the REST API and the CLI, from a token file: one
 * `token role` per line (`#` starts a comment). A role grants its own
 * requests and those of the roles below it: viewer (read), operator (submit,
 * cancel, savepoint, stop), admin (everything). Presented tokens are hashed
 * and compared with every known one in constant time; tokens are never logged.
 * @module
 */

import { createHash, timingSafeEqual } from "node:crypto";

/** The roles, weakest first. */
export const ROLES = ["viewer", "operator", "admin"] as const;
/** A role a token grants. */
export type Role = (typeof ROLES)[number];

/** Fewest characters of a token: shorter ones are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** Whether `role` grants what `needed` allows. */
export function grants(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

const digest = (token: string) => createHash("sha256").update(token).digest();

/**
 * The tokens of a token file and their roles.
 *
 * @example
 * ```ts
 * import { TokenTable } from "./auth_tokens.ts";
 * const table = TokenTable.parse("s3cr3t-viewer-token-1 viewer\n", "tokens.txt");
 * console.assert(table.roleOf("s3cr3t-viewer-token-1") === "viewer");
 * console.assert(table.roleOf("guess") === undefined);
 * ```
 */
export class TokenTable {
  private constructor(private readonly entries: { hash: Buffer; role: Role }[]) {}

  /** The tokens in `text`; a bad line throws an error naming `source` and the line. */
  static parse(text: string, source: string): TokenTable {
    const entries: { hash: Buffer; role: Role }[] = [];
    const seen = new Set<string>();
    for (const [i, raw] of text.split("\n").entries()) {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") continue;
      const where = `${source}:${i + 1}`;
      const fields = line.split(/\s+/);
      if (fields.length !== 2) {
        throw new Error(`${where}: expected 'token role', got ${fields.length} field(s)`);
      }
      const [token, role] = fields;
      if (!(ROLES as readonly string[]).includes(role)) {
        throw new Error(`${where}: unknown role '${role}' (roles: ${ROLES.join(", ")})`);
      }
      if (token.length < MIN_TOKEN_LENGTH) {
        throw new Error(
          `${where}: the token has ${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`,
        );
      }
      if (seen.has(token)) throw new Error(`${where}: the token appears on an earlier line too`);
      seen.add(token);
      entries.push({ hash: digest(token), role: role as Role });
    }
    if (entries.length === 0) throw new Error(`${source}: no tokens (one 'token role' per line)`);
    return new TokenTable(entries);
  }

  /** The tokens in the file at `path`. */
  static async load(path: string): Promise<TokenTable> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new Error(`cannot read the token file ${path}: ${(e as Error).message}`);
    }
    return TokenTable.parse(text, path);
  }

  /** The role of `token`, or undefined; takes the same time whichever token matches. */
  roleOf(token: string): Role | undefined {
    const hash = digest(token);
    let found: Role | undefined;
    for (const e of this.entries) {
      if (timingSafeEqual(hash, e.hash) && found === undefined) found = e.role;
    }
    return found;
  }
}

/** The token of an `Authorization: Bearer T` header, or undefined. */
export function bearerToken(headers: Headers): string | undefined {
  const m = headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return m?.[1];
}
