// A master and a worker as real processes for the SDK tests, from Node or
// Deno (node: APIs only). The `deno` that runs them: $SPATE_DENO, else the
// running Deno, else `deno` on the PATH.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { freePort } from "../_helpers/free_port.mjs";

export { freePort };

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = process.env.SPATE_DENO ?? globalThis.Deno?.execPath() ?? "deno";

/** Resolves once `cond()` holds; throws after `timeoutMs`. */
export async function waitFor(what, cond, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spate(args) {
  const child = spawn(DENO, [
    "run",
    // node_modules is in place (see tests/_helpers/cli.ts).
    "--node-modules-dir=manual",
    "-A",
    "--unstable-worker-options",
    "--config",
    `${ROOT}deno.json`,
    `${ROOT}cli/main.ts`,
    ...args,
  ], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let stderr = "";
  child.stderr.on("data", (d) => stderr += d);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return { child, exited, stderr: () => stderr };
}

/**
 * A master (with `tokens`: one per role, `{ viewer, operator }`) and one
 * worker of `slots` slots, registered. stop() kills both and removes their files.
 */
export async function startCluster({ slots = 4, tokens } = {}) {
  const dir = await mkdtemp(`${tmpdir()}/spate-sdk-`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const auth = [];
  const nodeAuth = [];
  if (tokens !== undefined) {
    await writeFile(`${dir}/secret`, "sdk-test-secret-0123456789abcdef");
    await writeFile(
      `${dir}/tokens`,
      Object.entries(tokens).map(([role, t]) => `${t} ${role}`).join("\n") + "\n",
    );
    nodeAuth.push("--cluster-secret-file", `${dir}/secret`);
    auth.push(...nodeAuth, "--auth-tokens", `${dir}/tokens`);
  }
  const master = spate(["master", "--port", String(port), "--blob-dir", `${dir}/blobs`, ...auth]);
  const worker = spate([
    "worker",
    "--master",
    url,
    "--slots",
    String(slots),
    "--work-dir",
    `${dir}/worker`,
    ...nodeAuth,
  ]);
  const headers = tokens === undefined ? {} : { authorization: `Bearer ${tokens.viewer}` };
  try {
    await waitFor("the worker to register", async () => {
      const res = await fetch(`${url}/api/v1/overview`, { headers });
      return (await res.json()).taskmanagers === 1;
    });
  } catch (e) {
    master.child.kill("SIGKILL");
    worker.child.kill("SIGKILL");
    throw new Error(`${e.message}\nmaster: ${master.stderr()}\nworker: ${worker.stderr()}`);
  }
  return {
    url,
    dir,
    async stop() {
      for (const p of [worker, master]) p.child.kill("SIGKILL");
      await Promise.all([worker.exited, master.exited]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** GETs `url`'s JSON (one attempt, 5 s at most). */
async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return await res.json();
}

/**
 * Two masters with high availability on the etcd at `etcd` (session TTL
 * `ttlMs`, blobs and job store in one shared directory) and one worker
 * given both. `leader()` says which master leads; kill(url) kills one (-9).
 */
export async function startHaCluster({ etcd, ttlMs = 3000, slots = 4 }) {
  const dir = await mkdtemp(`${tmpdir()}/spate-sdk-ha-`);
  const urls = [];
  const masters = new Map();
  const clusterId = `sdk-${Date.now()}`;
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    urls.push(url);
    masters.set(
      url,
      spate([
        "master",
        "--port",
        String(port),
        "--ha",
        "etcd",
        "--etcd",
        etcd,
        "--cluster-id",
        clusterId,
        "--ha-session-ttl-ms",
        String(ttlMs),
        "--ha-storage-dir",
        `${dir}/ha`,
      ]),
    );
  }
  const worker = spate([
    "worker",
    "--master",
    urls.join(","),
    "--slots",
    String(slots),
    "--work-dir",
    `${dir}/worker`,
  ]);
  const all = () => [worker, ...masters.values()];
  const leader = async () => {
    for (const url of urls) {
      if (!masters.get(url).child.killed && (await getJson(`${url}/api/v1/overview`)).ha.isLeader) {
        return url;
      }
    }
    return undefined;
  };
  try {
    await waitFor("a leader with the worker registered", async () => {
      const at = await leader();
      return at !== undefined && (await getJson(`${at}/api/v1/overview`)).taskmanagers === 1;
    }, 60_000);
  } catch (e) {
    for (const p of all()) p.child.kill("SIGKILL");
    const logs = all().map((p) => p.stderr()).join("\n---\n");
    throw new Error(`${e.message}\n${logs}`);
  }
  return {
    urls,
    leader,
    /** Kills the master at `url` (-9) and waits for its exit. */
    async kill(url) {
      const m = masters.get(url);
      m.child.kill("SIGKILL");
      await m.exited;
    },
    logs: () => all().map((p) => p.stderr()).join("\n---\n"),
    async stop() {
      for (const p of all()) p.child.kill("SIGKILL");
      await Promise.all(all().map((p) => p.exited));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
