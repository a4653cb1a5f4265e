/**
 * Where an S3-compatible store is and who we are to it: from flags, else the
 * standard AWS environment variables (`AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`). Only these are read: no
 * profile file and no instance metadata service is probed. The secret is
 * never part of a description or an error.
 *
 * @example
 * ```ts
 * import { describeS3Settings, resolveS3Settings } from "./s3_settings.ts";
 * const env = { AWS_ACCESS_KEY_ID: "AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" };
 * const s = resolveS3Settings({ endpoint: "http://127.0.0.1:9000" }, (k) => env[k as keyof typeof env]);
 * describeS3Settings(s); // "endpoint http://127.0.0.1:9000, region us-east-1, access key AKIAEXAMPLE"
 * ```
 * @module
 */

/** S3 settings; what is absent comes from the environment, then the defaults. */
export interface S3Settings {
  /** The store's URL (`http://127.0.0.1:9000`); absent: AWS itself, by region. */
  readonly endpoint?: string;
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
  /** Temporary credentials only (from `AWS_SESSION_TOKEN`). */
  readonly sessionToken?: string;
}

/** Settings with every field decided. */
export interface ResolvedS3Settings {
  readonly endpoint: string | undefined;
  readonly region: string;
  readonly credentials: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  } | undefined;
  /** Path-style URLs (`endpoint/bucket/key`): on for a custom endpoint, as S3-compatible servers need. */
  readonly forcePathStyle: boolean;
}

/** The region when neither a flag nor the environment names one. */
export const DEFAULT_S3_REGION = "us-east-1";

/** Reads an environment variable (undefined when unset or without permission). */
export type EnvReader = (name: string) => string | undefined;

/** `Deno.env.get`, or undefined without env permission. */
export const processEnv: EnvReader = (name) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/**
 * `given` completed from the environment. Credentials come as a pair: from
 * the flags when both are given, else from the environment; a lone half is an
 * error naming what is missing.
 */
export function resolveS3Settings(
  given: S3Settings,
  env: EnvReader = processEnv,
): ResolvedS3Settings {
  const get = (name: string) => nonEmpty(env(name));
  const endpoint = nonEmpty(given.endpoint) ?? get("AWS_ENDPOINT_URL_S3") ??
    get("AWS_ENDPOINT_URL");
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint)) {
    throw new TypeError(
      `S3 endpoint '${endpoint}' is not an http(s) URL (such as http://127.0.0.1:9000)`,
    );
  }
  const region = nonEmpty(given.region) ?? get("AWS_REGION") ?? get("AWS_DEFAULT_REGION") ??
    DEFAULT_S3_REGION;
  const fromFlags = given.accessKeyId !== undefined || given.secretAccessKey !== undefined;
  const id = fromFlags ? nonEmpty(given.accessKeyId) : get("AWS_ACCESS_KEY_ID");
  const secret = fromFlags ? nonEmpty(given.secretAccessKey) : get("AWS_SECRET_ACCESS_KEY");
  if ((id === undefined) !== (secret === undefined)) {
    const [flag, envName] = id === undefined
      ? ["--s3-access-key", "AWS_ACCESS_KEY_ID"]
      : ["--s3-secret-key", "AWS_SECRET_ACCESS_KEY"];
    throw new TypeError(
      `S3 credentials are half given: ${fromFlags ? flag : envName} is missing ` +
        `(give --s3-access-key and --s3-secret-key, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
    );
  }
  const token = fromFlags ? nonEmpty(given.sessionToken) : get("AWS_SESSION_TOKEN");
  return {
    endpoint,
    region,
    credentials: id === undefined ? undefined : {
      accessKeyId: id,
      secretAccessKey: secret!,
      ...(token === undefined ? {} : { sessionToken: token }),
    },
    forcePathStyle: endpoint !== undefined,
  };
}

/** The settings in words, for logs and errors: never the secret or the token. */
export function describeS3Settings(s: ResolvedS3Settings): string {
  const where = s.endpoint === undefined ? "AWS S3" : `endpoint ${s.endpoint}`;
  const who = s.credentials === undefined
    ? "no credentials"
    : `access key ${s.credentials.accessKeyId}`;
  return `${where}, region ${s.region}, ${who}`;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}
