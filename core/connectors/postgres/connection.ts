/**
 * Connection settings of the PostgreSQL connectors, on the maintained npm
 * client `postgres` (porsager). Settings come from the builder's options, else
 * from the libpq environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
 * PGDATABASE), read in the slot that connects. Passwords are never logged or
 * put in an error message. Failures to connect are turned into messages that
 * name the problem (unreachable server, authentication, unknown database).
 * @module
 */

import type postgres from "postgres";
import type { JobPermissions } from "../../config/job_permissions.ts";

/** Where and as whom the connectors connect. Unset fields come from the PG* variables. */
export interface PostgresConnectionOptions {
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  /** Seconds a connection attempt may take (default 10). */
  readonly connectTimeoutSeconds?: number;
  /**
   * Seconds a statement may wait for its answer before the task fails
   * (default 60): a frozen server or a dead network path keeps a connection
   * open but silent, and the job would wait for ever.
   */
  readonly statementTimeoutSeconds?: number;
}

/** The environment variables the connectors (and the client library) read. */
export const PG_ENV_VARS = [
  "PGHOST",
  "PGPORT",
  "PGUSER",
  "PGPASSWORD",
  "PGDATABASE",
  "PGAPPNAME",
  "PGTARGETSESSIONATTRS",
] as const;

const DEFAULT_CONNECT_TIMEOUT_S = 10;
const DEFAULT_STATEMENT_TIMEOUT_S = 60;
/** The `code` of the error {@linkcode withinStatementTimeout} rejects with. */
const STATEMENT_TIMEOUT = "STATEMENT_TIMEOUT";

/** Checks the options a builder was given; throws a RangeError naming the bad one. */
export function validateConnectionOptions(o: PostgresConnectionOptions): void {
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536)) {
    throw new RangeError(`PostgreSQL port must be an integer in 1..65535, got ${o.port}`);
  }
  for (const k of ["connectTimeoutSeconds", "statementTimeoutSeconds"] as const) {
    if (o[k] !== undefined && !(o[k] > 0)) {
      throw new RangeError(`PostgreSQL ${k} must be > 0, got ${o[k]}`);
    }
  }
  for (const k of ["host", "user", "database"] as const) {
    if (o[k] !== undefined && (typeof o[k] !== "string" || o[k] === "")) {
      throw new RangeError(`PostgreSQL ${k} must be a non-empty string`);
    }
  }
}

/** An environment variable, or undefined when it is unset or the sandbox does not allow it. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined;
  }
}

/** The settings with the PG* variables filled in. */
export function resolveConnection(o: PostgresConnectionOptions):
  & Required<
    Omit<PostgresConnectionOptions, "password">
  >
  & { password: string | undefined } {
  return {
    host: o.host ?? env("PGHOST") ?? "127.0.0.1",
    port: o.port ?? (env("PGPORT") !== undefined ? Number(env("PGPORT")) : 5432),
    user: o.user ?? env("PGUSER") ?? "postgres",
    password: o.password ?? env("PGPASSWORD"),
    database: o.database ?? env("PGDATABASE") ?? o.user ?? env("PGUSER") ?? "postgres",
    connectTimeoutSeconds: o.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_S,
    statementTimeoutSeconds: o.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_S,
  };
}

/**
 * `work`, or a rejection (code STATEMENT_TIMEOUT) once it took longer than
 * the statement timeout. The statement itself is left behind: the caller
 * fails its task, and closing the client drops the connection.
 */
export function withinStatementTimeout<T>(
  o: PostgresConnectionOptions,
  work: Promise<T>,
): Promise<T> {
  const seconds = o.statementTimeoutSeconds ?? DEFAULT_STATEMENT_TIMEOUT_S;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new Error(`no answer within ${seconds} s`) as Error & { code: string };
      e.code = STATEMENT_TIMEOUT;
      reject(e);
    }, seconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** What a connector needs in the job's sandbox: the server's address and the PG* variables. */
export function connectionPermissions(o: PostgresConnectionOptions): JobPermissions {
  const c = resolveConnection(o);
  return { net: [`${c.host}:${c.port}`], env: [...PG_ENV_VARS] };
}

/** `user@host:port/database`, for messages (never the password). */
export function describeConnection(o: PostgresConnectionOptions): string {
  const c = resolveConnection(o);
  return `${c.user}@${c.host}:${c.port}/${c.database}`;
}

/**
 * A client of `max` connections. Every library default is given explicitly,
 * so the library reads no environment variable beyond those declared. The
 * library loads here, not with the package: every job imports `spate`, and
 * only jobs with a PostgreSQL connector need it.
 */
export async function createClient(
  o: PostgresConnectionOptions,
  max: number,
): Promise<postgres.Sql> {
  const { default: postgres } = await import("postgres");
  const c = resolveConnection(o);
  const options = {
    host: c.host,
    port: c.port,
    user: c.user,
    pass: c.password,
    database: c.database,
    max,
    ssl: false,
    sslnegotiation: null,
    idle_timeout: 0,
    connect_timeout: c.connectTimeoutSeconds,
    max_lifetime: null,
    max_pipeline: 100,
    backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 20),
    keep_alive: 60,
    prepare: true,
    fetch_types: false,
    publications: "alltables",
    debug: false,
    target_session_attrs: undefined,
    connection: { application_name: "spate" },
    onnotice: () => {},
  };
  // `sslnegotiation` (a default the library reads from PGSSLNEGOTIATION) is not in its types.
  return postgres(options as postgres.Options<Record<string, postgres.PostgresType>>);
}

/** PostgreSQL error codes the connectors explain. */
const EXPLAINED: Record<string, string> = {
  "28P01": "authentication failed (wrong password?)",
  "28000": "authentication rejected (no pg_hba.conf entry or role not allowed)",
  "3D000": "database does not exist",
  "42P01": "table does not exist",
  "42703": "column does not exist",
  "42501": "permission denied",
};

/** A connector error with `what` (e.g. "PostgresSink: cannot connect") and the cause in words. */
export function explain(what: string, o: PostgresConnectionOptions, e: unknown): Error {
  const err = e as { code?: string; message?: string };
  const code = err?.code;
  let reason = err?.message ?? String(e);
  if (code !== undefined && EXPLAINED[code] !== undefined) reason = `${EXPLAINED[code]}: ${reason}`;
  else if (code === "ECONNREFUSED") reason = "connection refused (is the server running there?)";
  else if (code === "CONNECT_TIMEOUT") reason = "connection attempt timed out";
  else if (code === STATEMENT_TIMEOUT) {
    reason = `${reason} (statementTimeoutSeconds): is the server frozen or the network down?`;
  } else if (code === "ENOTFOUND") reason = "host not found";
  return new Error(`${what} (${describeConnection(o)}): ${reason}`, { cause: e });
}

/** `"name"` quoted as a PostgreSQL identifier; `schema.table` quotes each part. */
export function quoteIdent(name: string): string {
  return name.split(".").map((p) => `"${p.replaceAll('"', '""')}"`).join(".");
}
