/**
 * Job permissions: the Deno permissions a job's code may use in its slots
 * (`spate run --allow-read=... --allow-net=...`, or `env.setPermissions`),
 * and the policy a master or worker caps them with (`--job-permissions-max`).
 * A kind that is absent is denied; `*` grants the whole kind. Pure: parsing,
 * merging, and whether a request lies within a cap.
 *
 * @example
 * ```ts
 * import { parsePermissionPolicy, permissionExcess } from "./job_permissions.ts";
 * const max = parsePermissionPolicy("read=/data,/tmp;net=*");
 * permissionExcess({ read: ["/data/in.txt"] }, max); // undefined: within the cap
 * permissionExcess({ read: ["/etc"] }, max); // { kind: "read", value: "/etc" }
 * ```
 * @module
 */

/** The kinds of Deno permissions a job may be given (Deno's own names). */
export const PERMISSION_KINDS = ["read", "write", "net", "env", "run", "ffi", "sys"] as const;
/** A kind of permission. */
export type PermissionKind = (typeof PERMISSION_KINDS)[number];

/** Per kind, what is allowed (`["*"]`: all of it); an absent kind is denied. */
export type JobPermissions = { readonly [K in PermissionKind]?: readonly string[] };

/** Grants the whole kind. */
export const ALL = "*";
/** Most entries of one kind (a request or a policy). */
export const MAX_PERMISSION_ENTRIES = 256;
/** Longest entry (a path, host or name). */
export const MAX_PERMISSION_ENTRY_LENGTH = 4096;
/** The cap when an operator gives none: everything but spawning, native code and system info. */
export const DEFAULT_JOB_PERMISSIONS_MAX = "read=*;write=*;net=*;env=*";

/** Kinds whose entries are file paths (absolute). */
const PATH_KINDS: ReadonlySet<PermissionKind> = new Set(["read", "write", "ffi"]);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

/** A permission entry or policy that cannot be read; the message names the fault. */
export class PermissionSyntaxError extends Error {
  override readonly name = "PermissionSyntaxError";
}

/** Why `value` is not a valid entry of `kind`, or undefined when it is. */
export function entryProblem(kind: PermissionKind, value: string): string | undefined {
  if (value === ALL) return undefined;
  if (value.length === 0 || value.length > MAX_PERMISSION_ENTRY_LENGTH) {
    return `a ${kind} entry must be 1 to ${MAX_PERMISSION_ENTRY_LENGTH} characters`;
  }
  if (PATH_KINDS.has(kind) && !value.startsWith("/")) {
    return `${kind} entry '${value}' must be an absolute path`;
  }
  if (kind === "env" && !ENV_NAME.test(value)) {
    return `env entry '${value}' is not a variable name`;
  }
  if (kind === "net" && !HOST.test(value)) {
    return `net entry '${value}' must be host or host:port`;
  }
  return undefined;
}

/**
 * The entries of one kind from a comma list (`/a,/b`); `resolve` makes
 * relative paths absolute (the CLI resolves them against its directory).
 */
export function parsePermissionList(
  kind: PermissionKind,
  text: string,
  resolve: (path: string) => string = (p) => p,
): string[] {
  const entries = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (entries.length > MAX_PERMISSION_ENTRIES) {
    throw new PermissionSyntaxError(`at most ${MAX_PERMISSION_ENTRIES} ${kind} entries`);
  }
  return entries.map((e) => {
    const value = PATH_KINDS.has(kind) && e !== ALL ? resolve(e) : e;
    const problem = entryProblem(kind, value);
    if (problem !== undefined) throw new PermissionSyntaxError(problem);
    return value;
  });
}

/**
 * A policy: `kind=entries` parts separated by `;` (`read=/data,/tmp;net=*`),
 * or `none`. A kind not named is denied.
 */
export function parsePermissionPolicy(text: string): JobPermissions {
  const out: Partial<Record<PermissionKind, string[]>> = {};
  if (text.trim() === "none") return out;
  for (const part of text.split(";").map((s) => s.trim()).filter((s) => s !== "")) {
    const eq = part.indexOf("=");
    const kind = part.slice(0, eq < 0 ? part.length : eq).trim();
    if (eq < 0 || !(PERMISSION_KINDS as readonly string[]).includes(kind)) {
      throw new PermissionSyntaxError(
        `'${part}' is not kind=entries with kind one of ${PERMISSION_KINDS.join(", ")} ` +
          `(e.g. read=/data,/tmp;write=/tmp;net=*;env=HOME, or none)`,
      );
    }
    const k = kind as PermissionKind;
    out[k] = [...out[k] ?? [], ...parsePermissionList(k, part.slice(eq + 1))];
  }
  return out;
}

/** The union of permission sets (undefined when all are). */
export function mergePermissions(
  ...sets: (JobPermissions | undefined)[]
): JobPermissions | undefined {
  const given = sets.filter((s): s is JobPermissions => s !== undefined);
  if (given.length === 0) return undefined;
  const out: Partial<Record<PermissionKind, string[]>> = {};
  for (const kind of PERMISSION_KINDS) {
    const all = given.flatMap((s) => s[kind] ?? []);
    if (given.some((s) => s[kind] !== undefined)) {
      out[kind] = all.includes(ALL) ? [ALL] : [...new Set(all)];
    }
  }
  return out;
}

/** Whether the cap entry `max` of `kind` covers the requested entry `value`. */
function covers(kind: PermissionKind, max: string, value: string): boolean {
  if (max === ALL) return true;
  if (value === ALL) return false;
  if (PATH_KINDS.has(kind)) {
    const dir = max.endsWith("/") ? max : `${max}/`;
    return value === max || value.startsWith(dir);
  }
  if (kind === "net") {
    // A host without a port covers each of its ports.
    const hasPort = /\]:\d+$|^[^[][^:]*:\d+$/.test(max);
    return value === max || (!hasPort && value.startsWith(`${max}:`));
  }
  return value === max;
}

/** The first requested entry the cap does not cover, or undefined when all are covered. */
export function permissionExcess(
  request: JobPermissions,
  max: JobPermissions,
): { kind: PermissionKind; value: string } | undefined {
  for (const kind of PERMISSION_KINDS) {
    for (const value of request[kind] ?? []) {
      if (!(max[kind] ?? []).some((m) => covers(kind, m, value))) return { kind, value };
    }
  }
  return undefined;
}

/** A permission set as the policy syntax shows it (`read=/a;net=*`, or `none`). */
export function formatPermissions(p: JobPermissions): string {
  const parts = PERMISSION_KINDS.filter((k) => p[k] !== undefined && p[k]!.length > 0)
    .map((k) => `${k}=${p[k]!.join(",")}`);
  return parts.length === 0 ? "none" : parts.join(";");
}

/**
 * A permission set from untrusted JSON (a REST submission); throws
 * PermissionSyntaxError naming the field at fault.
 */
export function checkPermissions(raw: unknown, what: string): JobPermissions {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new PermissionSyntaxError(`${what} must be an object`);
  }
  const out: Partial<Record<PermissionKind, string[]>> = {};
  for (const [kind, list] of Object.entries(raw)) {
    if (!(PERMISSION_KINDS as readonly string[]).includes(kind)) {
      throw new PermissionSyntaxError(
        `${what}.${kind} is not a permission (${PERMISSION_KINDS.join(", ")})`,
      );
    }
    if (!Array.isArray(list) || list.length > MAX_PERMISSION_ENTRIES) {
      throw new PermissionSyntaxError(
        `${what}.${kind} must be an array of at most ${MAX_PERMISSION_ENTRIES} strings`,
      );
    }
    out[kind as PermissionKind] = list.map((v, i) => {
      const problem = typeof v === "string"
        ? entryProblem(kind as PermissionKind, v)
        : "must be a string";
      if (problem !== undefined) {
        throw new PermissionSyntaxError(`${what}.${kind}[${i}]: ${problem}`);
      }
      return v as string;
    });
  }
  return out;
}
