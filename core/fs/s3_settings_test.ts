import assert from "node:assert/strict";
import { describeS3Settings, resolveS3Settings } from "./s3_settings.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("resolveS3Settings: flags first, then AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_REGION", () => {
  const env = envOf({
    AWS_ENDPOINT_URL: "http://generic:1",
    AWS_ENDPOINT_URL_S3: "http://s3-only:2",
    AWS_REGION: "eu-west-3",
    AWS_ACCESS_KEY_ID: "ENVKEY",
    AWS_SECRET_ACCESS_KEY: "envsecret",
    AWS_SESSION_TOKEN: "token",
  });
  const fromEnv = resolveS3Settings({}, env);
  assert.deepEqual(fromEnv, {
    endpoint: "http://s3-only:2",
    region: "eu-west-3",
    credentials: { accessKeyId: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "token" },
    forcePathStyle: true,
  });
  const fromFlags = resolveS3Settings({
    endpoint: "http://flag:3",
    region: "ap-south-1",
    accessKeyId: "FLAGKEY",
    secretAccessKey: "flagsecret",
  }, env);
  assert.deepEqual(fromFlags, {
    endpoint: "http://flag:3",
    region: "ap-south-1",
    // The env's session token belongs to the env's key: not mixed with flag credentials.
    credentials: { accessKeyId: "FLAGKEY", secretAccessKey: "flagsecret" },
    forcePathStyle: true,
  });
  assert.equal(
    resolveS3Settings({}, envOf({ AWS_ENDPOINT_URL: "http://generic:1" })).endpoint,
    "http://generic:1",
  );
});

Deno.test("resolveS3Settings: AWS itself without an endpoint (virtual-hosted URLs, us-east-1)", () => {
  const s = resolveS3Settings({}, envOf({ AWS_DEFAULT_REGION: "us-west-2" }));
  assert.deepEqual(s, {
    endpoint: undefined,
    region: "us-west-2",
    credentials: undefined,
    forcePathStyle: false,
  });
  assert.equal(resolveS3Settings({}, envOf({})).region, "us-east-1");
});

Deno.test("resolveS3Settings: half credentials and a bad endpoint are refused, saying what is missing", () => {
  assert.throws(
    () => resolveS3Settings({ accessKeyId: "K" }, envOf({ AWS_SECRET_ACCESS_KEY: "ignored" })),
    /half given: --s3-secret-key is missing/,
  );
  assert.throws(
    () => resolveS3Settings({}, envOf({ AWS_SECRET_ACCESS_KEY: "s" })),
    /half given: AWS_ACCESS_KEY_ID is missing/,
  );
  assert.throws(
    () => resolveS3Settings({ endpoint: "127.0.0.1:9000" }, envOf({})),
    /not an http\(s\) URL/,
  );
});

Deno.test("describeS3Settings names the endpoint, region and key id, never the secret or token", () => {
  const s = resolveS3Settings(
    { endpoint: "http://127.0.0.1:9000" },
    envOf({
      AWS_ACCESS_KEY_ID: "KEYID",
      AWS_SECRET_ACCESS_KEY: "hunter2",
      AWS_SESSION_TOKEN: "tok",
    }),
  );
  const text = describeS3Settings(s);
  assert.equal(text, "endpoint http://127.0.0.1:9000, region us-east-1, access key KEYID");
  assert.ok(!text.includes("hunter2") && !text.includes("tok"));
});
