/**
 * A TLS cluster for integration tests: certificates made by `spate certs`,
 * a master and workers started as processes with them, waited for through
 * the REST API over https with the test CA.
 * @module
 */

import { runCli } from "./cli.ts";
import { freePort, type SpateProcess, spawnSpate, waitFor } from "./cluster.ts";

/** The files `spate certs --hosts 127.0.0.1+localhost` wrote into `dir`. */
export interface TestCerts {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a CA and a certificate for 127.0.0.1 (and localhost) in `dir` with `spate certs`. */
export async function makeTestCerts(dir: string): Promise<TestCerts> {
  const res = await runCli([
    "certs",
    "--out",
    dir,
    "--hosts",
    "127.0.0.1+localhost",
    "--days",
    "1",
  ]);
  if (res.code !== 0) throw new Error(`spate certs failed: ${res.stderr}`);
  return {
    dir,
    ca: `${dir}/ca.pem`,
    cert: `${dir}/127.0.0.1.pem`,
    key: `${dir}/127.0.0.1-key.pem`,
  };
}

/** The node flags of `certs`: serve with its certificate, verify peers with its CA. */
export function tlsFlags(certs: TestCerts, clientAuth = false): string[] {
  return [
    "--tls-cert",
    certs.cert,
    "--tls-key",
    certs.key,
    "--tls-ca",
    certs.ca,
    ...(clientAuth ? ["--tls-client-auth"] : []),
  ];
}

/** A running TLS cluster. */
export interface TlsCluster {
  /** `https://127.0.0.1:PORT` */
  readonly url: string;
  readonly master: SpateProcess;
  readonly workers: SpateProcess[];
  /** Starts one more worker with `args` after `--master URL --work-dir DIR`. */
  addWorker(args: string[]): SpateProcess;
  /** The master's REST overview, verified against the test CA. */
  overview(): Promise<{ taskmanagers: number }>;
  /** The master's REST answer at `path`. */
  rest(path: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** More flags of a TLS test cluster, and the token its REST calls carry. */
export interface TlsClusterExtras {
  readonly masterArgs?: readonly string[];
  readonly workerArgs?: readonly string[];
  readonly token?: string;
}

/** A TLS master and `workers` workers of `slots` slots, all registered. */
export async function startTlsCluster(
  certs: TestCerts,
  workers: number,
  slots: number,
  clientAuth = false,
  extras: TlsClusterExtras = {},
): Promise<TlsCluster> {
  const port = freePort();
  const url = `https://127.0.0.1:${port}`;
  const root = await Deno.makeTempDir({ prefix: "spate-tls-cluster-" });
  const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(certs.ca)] });
  const master = spawnSpate([
    "master",
    "--port",
    String(port),
    "--blob-dir",
    `${root}/blobs`,
    ...tlsFlags(certs, clientAuth),
    ...extras.masterArgs ?? [],
  ]);
  let started = 0;
  const headers: Record<string, string> = extras.token === undefined
    ? {}
    : { authorization: `Bearer ${extras.token}` };
  const rest = async (path: string) =>
    await (await fetch(`${url}${path}`, { client, headers })).json() as Record<string, unknown>;
  const cluster: TlsCluster = {
    url,
    master,
    workers: [],
    addWorker(args) {
      const w = spawnSpate([
        "worker",
        "--master",
        url,
        "--work-dir",
        `${root}/worker-${started++}`,
        ...args,
      ]);
      cluster.workers.push(w);
      return w;
    },
    overview: async () => await rest("/api/v1/overview") as { taskmanagers: number },
    rest,
    async stop() {
      const all = [...cluster.workers, master];
      for (const p of all) p.kill("SIGKILL");
      await Promise.all(all.map((p) => p.child.status));
      client.close();
      await Deno.remove(root, { recursive: true });
    },
  };
  for (let i = 0; i < workers; i++) {
    cluster.addWorker([
      "--slots",
      String(slots),
      ...tlsFlags(certs, clientAuth),
      ...extras.workerArgs ?? [],
    ]);
  }
  try {
    await waitFor(
      `${workers} TLS workers to register`,
      async () => (await cluster.overview()).taskmanagers === workers,
    );
  } catch (e) {
    const logs = [master, ...cluster.workers].map((p) => p.stderr()).join("\n");
    await cluster.stop();
    throw new Error(`${(e as Error).message}\n${logs}`);
  }
  return cluster;
}
