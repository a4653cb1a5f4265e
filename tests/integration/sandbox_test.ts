/**
 * The job sandbox on a real cluster (a master and a worker process, slots as
 * Web Workers): a job's code gets the Deno permissions its submission
 * declared and nothing else; the master refuses a job asking for more than
 * its --job-permissions-max; the worker runs the next job after a denial.
 */

import assert from "node:assert/strict";
import { jobPath, runCli, spawnCli } from "../_helpers/cli.ts";
import { freePort, waitFor } from "../_helpers/cluster.ts";

const CAP = "read=/tmp;write=/tmp;net=127.0.0.1;env=SPATE_PROBE_ALLOWED";

Deno.test("job sandbox: undeclared read, run, net and env fail naming the permission; declared ones work", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const master = spawnCli(["master", "--port", `${port}`, "--job-permissions-max", CAP]);
  const secrets = { SPATE_PROBE_SECRET: "s3cr3t", SPATE_PROBE_ALLOWED: "fine" };
  const worker = spawnCli(["worker", "--master", url, "--slots", "1"], secrets);
  const dir = await Deno.makeTempDir({ prefix: "spate-sandbox-" });
  const probeServer = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    () => new Response("ok"),
  );
  try {
    await waitFor("the worker to register", async () => {
      const o = await (await fetch(`${url}/api/v1/overview`)).json().catch(() => undefined);
      return o?.taskmanagers === 1;
    });
    const file = `${dir}/private.txt`;
    await Deno.writeTextFile(file, "not for every job");
    const run = (probe: string, target: string, flags: string[] = [], expect = "") =>
      runCli([
        "run",
        jobPath("sandbox_probe.ts"),
        "--master",
        url,
        ...flags,
        "--",
        "--probe",
        probe,
        "--target",
        target,
        "--expect",
        expect,
      ]);
    // A denial fails the job for good: restarting it (the cluster's default) would only repeat it.
    const denied = async (probe: string, target: string, kind: string, what: string) => {
      const r = await run(probe, target, ["--restart-strategy", "none"]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`operator 'Probe' needs ${kind} access to ${what}`));
      assert.match(r.stderr, /NotCapable/);
    };

    // One worker with one slot runs every job below: a denial leaves it healthy for the next.
    await denied("read", file, "read", file);
    const allowed = await run("read", file, [`--allow-read=${dir}`], "read 17 chars");
    assert.equal(allowed.code, 0, allowed.stderr);

    await denied("run", "true", "run", "true");
    const target = `http://127.0.0.1:${probeServer.addr.port}/`;
    await denied("fetch", target, "net", `127.0.0.1:${probeServer.addr.port}`);
    await denied("env", "SPATE_PROBE_SECRET", "env", "SPATE_PROBE_SECRET");
    // The runtime's own import-time variable is revoked before job code runs.
    await denied(
      "env",
      "CBOR_NATIVE_ACCELERATION_DISABLED",
      "env",
      "CBOR_NATIVE_ACCELERATION_DISABLED",
    );

    const env = await run(
      "env",
      "SPATE_PROBE_ALLOWED",
      ["--allow-env=SPATE_PROBE_ALLOWED"],
      "env: fine",
    );
    assert.equal(env.code, 0, env.stderr);
    const net = await run("fetch", target, ["--allow-net=127.0.0.1"], "fetched: 200");
    assert.equal(net.code, 0, net.stderr);

    // More than the master's cap: refused at submission, naming the permission; no job created.
    const before = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs.length;
    for (
      const [flag, kind, value] of [["--allow-run=true", "run", "true"], [
        "--allow-read=/etc",
        "read",
        "/etc",
      ]]
    ) {
      const refused = await run("read", file, [flag]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(`asks for ${kind} access to ${value}, more than this cluster allows`),
      );
      assert.match(refused.stderr, /--job-permissions-max/);
    }
    const after = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs.length;
    assert.equal(after, before, "a refused submission creates no job");
  } finally {
    await probeServer.shutdown();
    for (const p of [worker, master]) {
      p.child.kill("SIGTERM");
      await p.child.status;
      await p.stderrClosed;
    }
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("job sandbox: a worker's own cap fails a task that asks for more, naming the permission", async () => {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const master = spawnCli(["master", "--port", `${port}`]);
  const worker = spawnCli([
    "worker",
    "--master",
    url,
    "--job-permissions-max",
    "read=/tmp",
  ]);
  try {
    await waitFor("the worker to register", async () => {
      const o = await (await fetch(`${url}/api/v1/overview`)).json().catch(() => undefined);
      return o?.taskmanagers === 1;
    });
    const r = await runCli([
      "run",
      jobPath("sandbox_probe.ts"),
      "--master",
      url,
      "--allow-env=HOME",
      "--restart-strategy",
      "none", // the refusal repeats on every restart: one attempt shows it
      "--",
      "--probe",
      "env",
      "--target",
      "HOME",
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /asks for env access to HOME, more than worker \S+ allows/);
  } finally {
    for (const p of [worker, master]) {
      p.child.kill("SIGTERM");
      await p.child.status;
      await p.stderrClosed;
    }
  }
});

Deno.test("job sandbox: spate run --local sandboxes the job with the permissions on its command line", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spate-sandbox-local-" });
  try {
    const file = `${dir}/in.txt`;
    await Deno.writeTextFile(file, "local");
    const probe = (flags: string[], args: string[]) =>
      runCli(["run", jobPath("sandbox_probe.ts"), "--local", ...flags, "--", ...args]);
    const denied = await probe([], ["--probe", "read", "--target", file]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, new RegExp(`operator 'Probe' needs read access to ${file}`));
    // An --input argument is readable without a flag (the local default).
    const input = await probe([], ["--probe", "read", "--target", file, "--input", file]);
    assert.equal(input.code, 0, input.stderr);
    const flag = await probe([`--allow-read=${dir}`], ["--probe", "read", "--target", file]);
    assert.equal(flag.code, 0, flag.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
