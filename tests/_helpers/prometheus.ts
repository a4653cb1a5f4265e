/**
 * A real Prometheus server for tests: on a free loopback port, with a
 * generated config (static targets, scrape interval 1 s) and its own data
 * directory, stopped and removed by the test that started it.
 *
 * The binary comes from Debian's `prometheus` package (`.ci/run` installs it);
 * without it {@linkcode prometheusSkipReason} says why, and the tests skip.
 *
 * @example
 * ```ts ignore
 * import { startPrometheus } from "./prometheus.ts";
 * const prom = await startPrometheus({ spate: ["127.0.0.1:8081"] });
 * try {
 *   const samples = await prom.query("up");
 * } finally {
 *   await prom.close();
 * }
 * ```
 * @module
 */

import { freePort, waitFor } from "./cluster.ts";

/** The Prometheus binary tests run (`SPATE_PROMETHEUS_BIN` overrides). */
export const PROMETHEUS_BIN = Deno.env.get("SPATE_PROMETHEUS_BIN") ?? "prometheus";
/** How long a start may take until Prometheus is ready. */
const START_DEADLINE_MS = 20_000;

/** Why Prometheus tests cannot run here, or undefined when they can. */
export function prometheusSkipReason(): string | undefined {
  try {
    const r = new Deno.Command(PROMETHEUS_BIN, {
      args: ["--version"],
      stdout: "piped",
      stderr: "piped",
    }).outputSync();
    if (r.success) return undefined;
    return `\`${PROMETHEUS_BIN} --version\` failed: ${new TextDecoder().decode(r.stderr).trim()}`;
  } catch (e) {
    return `no prometheus binary (\`${PROMETHEUS_BIN}\`: ${(e as Error).message}); ` +
      "install Debian's prometheus package (.ci/run does)";
  }
}

/** One sample of an instant query: its labels and value. */
export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** A started Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant PromQL query through the HTTP API (`/api/v1/query`). */
  query(promql: string): Promise<PromSample[]>;
  /** Everything it wrote to stderr (its log). */
  log(): string;
  close(): Promise<void>;
}

/** The config: one scrape job per entry of `targets` (job name -> host:port list), every 1 s. */
export function prometheusConfig(targets: Record<string, readonly string[]>): string {
  const jobs = Object.entries(targets).map(([job, hosts]) =>
    `  - job_name: ${JSON.stringify(job)}\n` +
    `    static_configs:\n      - targets: ${JSON.stringify(hosts)}\n`
  );
  return "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n" +
    `scrape_configs:\n${jobs.join("")}`;
}

/** Starts Prometheus scraping `targets`; resolves once it is ready. */
export async function startPrometheus(
  targets: Record<string, readonly string[]>,
): Promise<PrometheusServer> {
  const dir = await Deno.makeTempDir({ prefix: "spate-prometheus-" });
  await Deno.writeTextFile(`${dir}/prometheus.yml`, prometheusConfig(targets));
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(PROMETHEUS_BIN, {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let text = "";
  const pipe = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) text += dec.decode(chunk);
  })();
  const server: PrometheusServer = {
    url,
    async query(promql) {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
      const body = await res.json();
      if (body.status !== "success") throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
      return (body.data.result as { metric: Record<string, string>; value: [number, string] }[])
        .map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    },
    log: () => text,
    async close() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await pipe;
      await Deno.remove(dir, { recursive: true });
    },
  };
  try {
    await waitFor("prometheus to be ready", async () => {
      const res = await fetch(`${url}/-/ready`);
      await res.body?.cancel();
      return res.ok;
    }, START_DEADLINE_MS);
  } catch (e) {
    await server.close();
    throw new Error(`${(e as Error).message}; its log:\n${text}`);
  }
  return server;
}
