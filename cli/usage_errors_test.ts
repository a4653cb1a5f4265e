/**
 * Flag combinations the commands refuse before they touch a network or a
 * file: each is a UsageError (exit 2 in main.ts) whose one line says what to
 * change. Called in this process: no cluster is needed to reach them.
 */

import assert from "node:assert/strict";
import { UsageError } from "./usage.ts";
import { certsCommand } from "./certs.ts";
import { cancelCommand, savepointCommand } from "./jobs.ts";
import { masterCommand } from "./master.ts";
import { runCommand } from "./run.ts";
import { stopCommand } from "./stop.ts";

async function refuses(
  command: (args: string[]) => Promise<number>,
  args: string[],
  message: string,
): Promise<void> {
  await assert.rejects(command(args), (e: Error) => {
    assert.ok(e instanceof UsageError, `${args.join(" ")}: ${e.stack}`);
    assert.equal(e.message, message, args.join(" "));
    return true;
  });
}

const JOB = "examples/wordcount.ts";
const ID = "0".repeat(32);

Deno.test("spate run: flags that exclude or need each other are refused with what to change", async () => {
  const m = ["--master", "http://127.0.0.1:1"];
  await refuses(runCommand, [JOB, "--cluster-id", "c"], "--cluster-id needs --etcd");
  await refuses(runCommand, [JOB, "--local", ...m], "--local and --master exclude each other");
  await refuses(runCommand, [JOB, "--detached"], "--detached and --slot-timeout need --master");
  await refuses(
    runCommand,
    [JOB, "--slots", "2", ...m],
    "--slots sizes the local cluster; a remote cluster has the slots of its workers",
  );
  await refuses(
    runCommand,
    [JOB, "--s3-endpoint", "http://127.0.0.1:9000", ...m],
    "--s3-* configure the local cluster; a cluster's master and workers take their own " +
      "(--s3-* flags or AWS_* variables): credentials never travel with a job",
  );
  await refuses(
    runCommand,
    [JOB, "--allow-non-restored-state"],
    "--allow-non-restored-state needs --from-savepoint",
  );
});

Deno.test("spate cancel, savepoint, stop: a missing job id or a misplaced flag is refused", async () => {
  await refuses(cancelCommand, [], "spate cancel: missing the job id (spate cancel <job-id>)");
  await refuses(
    cancelCommand,
    [ID, "--dir", "/tmp/x"],
    "spate cancel: --dir needs --with-savepoint",
  );
  await refuses(
    savepointCommand,
    [],
    "spate savepoint: missing the job id (spate savepoint <job-id>)",
  );
  await refuses(
    savepointCommand,
    ["--dispose", "/tmp/x", "--dir", "/tmp/y"],
    "spate savepoint: --dispose PATH takes no job id and no --dir",
  );
  await refuses(stopCommand, [], "spate stop: missing the job id (spate stop <job-id>)");
});

Deno.test("spate master: high-availability flags without their partners are refused", async () => {
  const etcd = ["--etcd", "http://127.0.0.1:2379"];
  await refuses(
    masterCommand,
    etcd,
    "spate master: --etcd is for --ha etcd; add --ha etcd or drop --etcd",
  );
  await refuses(
    masterCommand,
    ["--ha", "etcd", ...etcd],
    "spate master: --ha etcd needs --ha-storage-dir DIR|s3://bucket/prefix, " +
      "storage that every master reaches (job bundles are kept there)",
  );
  await refuses(
    masterCommand,
    ["--ha", "etcd", ...etcd, "--ha-storage-dir", "/tmp/ha", "--blob-dir", "/tmp/b"],
    "spate master: with --ha etcd job bundles go to --ha-storage-dir/blobs; drop --blob-dir",
  );
});

Deno.test("spate certs: a missing --out or --hosts, or an --out that cannot be made, is refused", async () => {
  await refuses(certsCommand, ["--hosts", "localhost"], "spate certs: --out DIR is needed");
  await refuses(certsCommand, ["--out", "/tmp/x"], "spate certs: --hosts LIST is needed");
  const root = await Deno.makeTempDir({ prefix: "spate-certs-" });
  try {
    await Deno.writeTextFile(`${root}/file`, "");
    await assert.rejects(
      certsCommand(["--out", `${root}/file/certs`, "--hosts", "localhost"]),
      (e: Error) =>
        e instanceof UsageError &&
        e.message.startsWith(`spate certs: --out ${root}/file/certs: cannot create it (`),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
