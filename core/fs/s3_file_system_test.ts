import assert from "node:assert/strict";
import { StorageError } from "./errors.ts";
import { fileSystemContract } from "../../tests/_suites/file_system_contract.ts";
import { S3RVER_CREDENTIALS, startS3rver } from "../../tests/_helpers/s3rver.ts";
import { S3FileSystem } from "./s3_file_system.ts";

Deno.test("S3FileSystem on a real s3rver honours the file system contract", async (t) => {
  const server = await startS3rver(["spate"]);
  const fs = S3FileSystem.create({ endpoint: server.endpoint, ...S3RVER_CREDENTIALS });
  let n = 0;
  try {
    await fileSystemContract(
      t,
      () => Promise.resolve({ fs, root: `s3://spate/contract-${n++}` }),
      // s3rver writes objects in place (S3 publishes an object only whole), and lists a
      // common prefix only when an object lies directly under it.
      { observableAtomicity: false, deepCommonPrefixes: false },
    );
  } finally {
    await server.stop();
  }
});

/** An HTTP proxy on loopback in front of `target` that records each request's Authorization header. */
function recordingProxy(target: string) {
  const authorizations: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    authorizations.push(req.headers.get("authorization") ?? "");
    const url = new URL(req.url);
    return fetch(`${target}${url.pathname}${url.search}`, {
      method: req.method,
      headers: req.headers,
      body: req.body,
    });
  });
  return { endpoint: `http://127.0.0.1:${server.addr.port}`, authorizations, server };
}

Deno.test("S3FileSystem: credentials are sent (SigV4 names the key), and refusals, a missing bucket and an unreachable endpoint say what to do", async (t) => {
  const server = await startS3rver(["spate"]);
  try {
    await t.step(
      "the Authorization header names the access key and region, never the secret",
      async () => {
        const proxy = recordingProxy(server.endpoint);
        try {
          const fs = S3FileSystem.create({
            endpoint: proxy.endpoint,
            region: "eu-west-3",
            accessKeyId: "S3RVER",
            secretAccessKey: "not-the-real-secret",
          });
          await fs.write("s3://spate/auth/x", [new Uint8Array([1, 2, 3])]);
          assert.deepEqual(await fs.read("s3://spate/auth/x"), new Uint8Array([1, 2, 3]));
          assert.equal(proxy.authorizations.length, 2);
          for (const a of proxy.authorizations) {
            assert.match(
              a,
              /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/eu-west-3\/s3\/aws4_request,/,
            );
            assert.match(a, /Signature=[0-9a-f]{64}$/);
            assert.ok(!a.includes("not-the-real-secret"));
          }
        } finally {
          await proxy.server.shutdown();
        }
      },
    );

    await t.step(
      "an access key the store does not know: refused, naming the flags and variables",
      async () => {
        const fs = S3FileSystem.create({
          endpoint: server.endpoint,
          accessKeyId: "AKIAWRONG",
          secretAccessKey: "very-secret-value",
        });
        await assert.rejects(
          () => fs.write("s3://spate/chk/_metadata", [new Uint8Array(1)]),
          (e: Error) => {
            assert.ok(e instanceof StorageError);
            assert.match(
              e.message,
              /cannot write s3:\/\/spate\/chk\/_metadata: the store refused the credentials \(InvalidAccessKeyId/,
            );
            assert.match(e.message, /access key AKIAWRONG/);
            assert.match(e.message, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
            assert.ok(!e.message.includes("very-secret-value"));
            return true;
          },
        );
      },
    );

    await t.step("a bucket that does not exist: named, with how to create it", async () => {
      const fs = S3FileSystem.create({ endpoint: server.endpoint, ...S3RVER_CREDENTIALS });
      await assert.rejects(() => fs.list("s3://no-such-bucket/chk"), (e: Error) => {
        assert.ok(e instanceof StorageError);
        assert.match(
          e.message,
          /cannot list s3:\/\/no-such-bucket\/chk: bucket 'no-such-bucket' does not exist at endpoint http:\/\/127\.0\.0\.1:\d+/,
        );
        assert.match(e.message, /aws s3 mb s3:\/\/no-such-bucket/);
        return true;
      });
    });

    await t.step(
      "no credentials at all: refused before any request, naming the variables",
      async () => {
        const fs = S3FileSystem.create({
          endpoint: server.endpoint,
          accessKeyId: "",
          secretAccessKey: "",
        });
        await assert.rejects(
          () => fs.stat("s3://spate/x"),
          /cannot stat s3:\/\/spate\/x: no S3 credentials; set AWS_ACCESS_KEY_ID/,
        );
      },
    );
  } finally {
    await server.stop();
  }
  await t.step(
    "an endpoint nothing listens on: cannot reach, naming the endpoint flag",
    async () => {
      const fs = S3FileSystem.create({ endpoint: server.endpoint, ...S3RVER_CREDENTIALS });
      await assert.rejects(() => fs.read("s3://spate/chk/_metadata"), (e: Error) => {
        assert.ok(e instanceof StorageError);
        assert.match(
          e.message,
          /cannot read s3:\/\/spate\/chk\/_metadata: cannot reach the S3 store \(ECONNREFUSED/,
        );
        assert.match(e.message, /--s3-endpoint or AWS_ENDPOINT_URL_S3/);
        return true;
      });
    },
  );
});
