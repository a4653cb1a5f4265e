/**
 * A real S3-compatible server for tests: npm `s3rver` (a devDependency, so
 * `deno install` brings it on a fresh machine) run by this `deno` as its own
 * process on a free loopback port, with a temp directory, and stopped after.
 * s3rver knows one access key, `S3RVER`, and refuses others
 * (InvalidAccessKeyId); it does not verify SigV4 signatures, so the secret is
 * not checked.
 * @module
 */

import { PROJECT_ROOT } from "./cli.ts";

/** The one key pair s3rver accepts. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

const BIN = `${PROJECT_ROOT}node_modules/s3rver/bin/s3rver.js`;
const START_TIMEOUT_MS = 30_000;

/** A running s3rver. */
export interface S3rver {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  /** The buckets it was started with. */
  readonly buckets: readonly string[];
  /** The AWS environment variables that point a spate process at it. */
  readonly env: Record<string, string>;
  /** Everything it logged (stderr). */
  log(): string;
  /** Stops it and removes its directory. */
  stop(): Promise<void>;
}

/** Starts s3rver with `buckets` created; resolves once it listens. */
export async function startS3rver(buckets: readonly string[] = ["spate"]): Promise<S3rver> {
  const dir = await Deno.makeTempDir({ prefix: "spate-s3rver-" });
  const args = ["run", "-A", BIN, "-d", dir, "-a", "127.0.0.1", "-p", "0", "--silent"];
  for (const b of buckets) args.push("--configure-bucket", b);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: PROJECT_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let err = "";
  const stderrDone = (async () => {
    for await (const c of child.stderr) err += new TextDecoder().decode(c);
  })();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await child.status;
    await stderrDone;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  let port: number;
  try {
    port = await listeningPort(child.stdout, () => err);
  } catch (e) {
    await stop();
    throw e;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    buckets,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_REGION: "us-east-1",
    },
    log: () => err,
    stop,
  };
}

/** Reads stdout until s3rver prints "S3rver listening on ADDR:PORT"; then drains it. */
async function listeningPort(
  stdout: ReadableStream<Uint8Array>,
  stderr: () => string,
): Promise<number> {
  const reader = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel(), START_TIMEOUT_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      const m = text.match(/listening on \S+:(\d+)/);
      if (m) {
        // Keep reading so the pipe never fills; nothing else is printed with --silent.
        (async () => {
          while (!(await reader.read()).done) { /* drain */ }
        })().catch(() => {});
        return Number(m[1]);
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(
    `s3rver did not start within ${START_TIMEOUT_MS} ms (is it installed? run 'deno install'):\n` +
      `${text}${stderr()}`,
  );
}
