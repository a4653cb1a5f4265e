/**
 * Real cluster processes for integration tests: a master and workers started
 * as OS processes on loopback, waited for through the REST API (with
 * deadlines, never fixed sleeps), and killed at the end.
 * @module
 */

import { PROJECT_ROOT, spateArgs } from "./cli.ts";
import { claimPort } from "./free_port.mjs";

/** Resolves when `cond` holds; throws after `timeoutMs`. */
export async function waitFor(
  what: string,
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
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

/** A TCP port on loopback that no other test holds and no port-0 bind will take (free_port.mjs). */
export function freePort(): number {
  for (;;) {
    const port: number = claimPort();
    try {
      Deno.listen({ hostname: "127.0.0.1", port }).close();
      return port;
    } catch { /* in use: the next one */ }
  }
}

export interface SpateProcess {
  readonly child: Deno.ChildProcess;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  kill(signal?: Deno.Signal): void;
}

/**
 * Starts `spate <args>` as a process (the real `deno`, not a task wrapper),
 * with `env` added to this process's environment.
 */
export function spawnSpate(
  args: string[],
  cmd: string[] = [Deno.execPath()],
  env: Record<string, string> = {},
): SpateProcess {
  const child = new Deno.Command(cmd[0], {
    args: [...cmd.slice(1), ...spateArgs(args)],
    cwd: PROJECT_ROOT,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  let text = "";
  (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) text += dec.decode(chunk);
  })();
  return {
    child,
    stderr: () => text,
    kill(signal: Deno.Signal = "SIGKILL") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
    },
  };
}

export interface TestCluster {
  readonly url: string;
  readonly master: SpateProcess;
  readonly workers: SpateProcess[];
  addWorker(slots: number, extraArgs?: string[]): SpateProcess;
  taskManagers(): Promise<number>;
  /** The last `lines` lines of every process's stderr, for a failing test's message. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}

/** What the processes of a test cluster get besides their usual flags. */
export interface ClusterExtras {
  /** Environment of the master. */
  readonly masterEnv?: Record<string, string>;
  /** Environment of every worker, also of those added later. */
  readonly workerEnv?: Record<string, string>;
  /** Flags of every worker, also of those added later (before addWorker's own). */
  readonly workerArgs?: string[];
  /** Headers of the helper's own REST calls (a bearer token for a master with tokens). */
  readonly restHeaders?: Record<string, string>;
}

/** A master on a free port and `workers` workers of `slots` slots each, all registered. */
export async function startCluster(
  workers: number,
  slots: number,
  masterArgs: string[] = [],
  cmd?: string[],
  extras: ClusterExtras = {},
): Promise<TestCluster> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  // Every directory the processes write goes under one root, removed at stop().
  const root = await Deno.makeTempDir({ prefix: "spate-cluster-" });
  let workers_ = 0;
  const master = spawnSpate(
    [
      "master",
      "--port",
      String(port),
      "--blob-dir",
      `${root}/blobs`,
      ...masterArgs,
    ],
    cmd,
    extras.masterEnv,
  );
  const cluster: TestCluster = {
    url,
    master,
    workers: [],
    addWorker(n: number, extraArgs: string[] = []) {
      const workDir = `${root}/worker-${workers_++}`;
      const w = spawnSpate(
        [
          "worker",
          "--master",
          url,
          "--slots",
          String(n),
          "--work-dir",
          workDir,
          ...extras.workerArgs ?? [],
          ...extraArgs,
        ],
        cmd,
        extras.workerEnv,
      );
      this.workers.push(w);
      return w;
    },
    async taskManagers() {
      const res = await fetch(`${url}/api/v1/overview`, { headers: extras.restHeaders });
      return (await res.json()).taskmanagers;
    },
    logs(lines = 30) {
      const tail = (p: SpateProcess) => p.stderr().split("\n").slice(-lines - 1).join("\n");
      return [
        `--- master:\n${tail(master)}`,
        ...this.workers.map((w, i) => `--- worker ${i}:\n${tail(w)}`),
      ].join("\n");
    },
    async stop() {
      for (const p of [...this.workers, master]) p.kill("SIGKILL");
      await Promise.all([...this.workers, master].map((p) => p.child.status));
      await Deno.remove(root, { recursive: true });
    },
  };
  for (let i = 0; i < workers; i++) cluster.addWorker(slots);
  await waitFor(
    `${workers} workers to register`,
    async () => (await cluster.taskManagers()) === workers,
  );
  return cluster;
}

/** The details of the most recently started job, from the master's REST API (undefined before any). */
export async function latestJobDetails(url: string) {
  const jobs = (await (await fetch(`${url}/api/v1/jobs`)).json()).jobs as {
    id: string;
    startTime: number;
  }[];
  jobs.sort((a, b) => b.startTime - a.startTime);
  return jobs[0] === undefined
    ? undefined
    : await (await fetch(`${url}/api/v1/jobs/${jobs[0].id}`)).json();
}

/** What a job's REST details say of where its subtasks ran. */
export interface JobPlacement {
  readonly vertices: readonly { readonly subtasks: readonly { readonly worker: string }[] }[];
}

/** The workers a job's subtasks ran on, from its REST details. */
export function jobWorkers(details: JobPlacement): Set<string> {
  return new Set(details.vertices.flatMap((v) => v.subtasks.map((s) => s.worker)));
}

/** The cluster a test runs on (see startCluster) and the prefix of its scratch directory. */
export interface ClusterShape {
  readonly workers: number;
  readonly slots: number;
  readonly masterArgs?: string[];
  readonly extras?: ClusterExtras;
  /** Prefix of the test's scratch directory (default "spate-test-"). */
  readonly prefix?: string;
}

/**
 * Runs `test` on a fresh cluster with a scratch directory of its own; stops
 * the cluster and removes the directory whatever the outcome.
 */
export async function withCluster<T>(
  shape: ClusterShape,
  test: (cluster: TestCluster, dir: string) => Promise<T>,
): Promise<T> {
  const cluster = await startCluster(
    shape.workers,
    shape.slots,
    shape.masterArgs,
    undefined,
    shape.extras,
  );
  const dir = await Deno.makeTempDir({ prefix: shape.prefix ?? "spate-test-" });
  try {
    return await test(cluster, dir);
  } finally {
    await cluster.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
