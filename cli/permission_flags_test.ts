import assert from "node:assert/strict";
import { jobPermissionsFromFlags, jobPermissionsMax } from "./permission_flags.ts";
import { UsageError } from "./usage.ts";

Deno.test("spate run's sandbox: the --allow-* flags, and the job's --input/--output/--out", () => {
  const cwd = Deno.cwd();
  assert.deepEqual(
    jobPermissionsFromFlags({ allowNet: "h:80,g", allowWrite: "/w" }, [
      "--input",
      "in.txt",
      "--out=/o",
      "--top",
      "3",
    ]),
    { net: ["h:80", "g"], write: ["/w", "/o"], read: ["/w", `${cwd}/in.txt`, "/o"] },
  );
  assert.deepEqual(jobPermissionsFromFlags({}, ["--output", "s3://b/k"]), {});
  assert.throws(
    () => jobPermissionsFromFlags({ allowEnv: "A-B" }, []),
    (e: Error) => e instanceof UsageError && /--allow-env: env entry 'A-B'/.test(e.message),
  );
});

Deno.test("--job-permissions-max: the default cap denies run, ffi and sys; a bad policy is a usage error", () => {
  assert.deepEqual(jobPermissionsMax("master", undefined), {
    read: ["*"],
    write: ["*"],
    net: ["*"],
    env: ["*"],
  });
  assert.throws(() => jobPermissionsMax("worker", "read"), UsageError);
});
