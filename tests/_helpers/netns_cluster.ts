/**
 * A spate master and workers on the hosts of a TestNetwork (one process per
 * namespace), and the keyed WordCount the multi-host tests run across them
 * from the root namespace, checked against its reference.
 * @module
 */

import assert from "node:assert/strict";
import { PROJECT_ROOT, spateArgs, wordcount } from "./cli.ts";
import { type SpateProcess, spawnSpate, waitFor } from "./cluster.ts";
import { readCounts, referenceCounts, writeCorpus } from "./corpus.ts";
import type { NetHost, TestNetwork } from "./netns.ts";

export const MASTER_PORT = 8081;
export const DATA_PORT = 9091;

/** The JSON answer of a GET to `url`; throws on an HTTP error. */
export async function getJson(url: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return await res.json();
}

/** The processes of a cluster in `net`'s namespaces, with `dir` as their scratch directory. */
export class NetnsCluster {
  /** The master first, then the workers in the order they started. */
  readonly procs: SpateProcess[] = [];
  readonly url: string;

  constructor(
    readonly net: TestNetwork,
    private readonly master: NetHost,
    readonly dir: string,
  ) {
    this.url = `http://${master.ip}:${MASTER_PORT}`;
  }

  /** Every process's stderr, for a failing assertion's message. */
  logs(): string {
    return this.procs.map((p) => p.stderr()).join("\n");
  }

  startMaster(extra: string[] = []): void {
    const m = this.master;
    this.procs.push(spawnSpate(
      ["master", "--host", m.ip, "--port", String(MASTER_PORT), "--blob-dir", `${this.dir}/blobs`]
        .concat(extra),
      this.inNs(m),
    ));
  }

  /** A worker of 2 slots on `h`, advertising its namespace address. */
  startWorker(h: NetHost, extra: string[] = []): void {
    this.procs.push(spawnSpate([
      "worker",
      "--master",
      this.url,
      "--slots",
      "2",
      "--host",
      h.ip,
      "--advertise",
      h.ip,
      "--data-port",
      String(DATA_PORT),
      "--work-dir",
      `${this.dir}/${h.role}-${this.procs.length}`,
      ...extra,
    ], this.inNs(h)));
  }

  /** Waits until `n` workers are registered; the processes' logs join a timeout. */
  async registered(n: number, what: string): Promise<void> {
    await waitFor(
      what,
      async () => (await getJson(`${this.url}/api/v1/overview`)).taskmanagers === n,
      30_000,
    ).catch((e) => {
      throw new Error(`${e.message}\n${this.logs()}`);
    });
  }

  /** Writes four corpus files of `bytes` each to `dir/in` (one per source subtask); returns their text. */
  async corpus(bytes: number): Promise<string> {
    const input = `${this.dir}/in`;
    await Deno.mkdir(input);
    await writeCorpus(input, 4, bytes, 5);
    let text = "";
    for (const e of Deno.readDirSync(input)) {
      text += (await Deno.readTextFile(`${input}/${e.name}`)) + "\n";
    }
    return text;
  }

  /**
   * Runs WordCount at parallelism 4 over `dir/in` from the root namespace
   * (through the switch), writing to `out`; asserts it finished with the
   * reference counts of `text`, and returns the client's stderr.
   */
  async wordCount(text: string, out: string): Promise<string> {
    const res = await new Deno.Command(Deno.execPath(), {
      args: spateArgs(
        wordcount(["--master", this.url, "-p", "4"], [
          "--input",
          `${this.dir}/in`,
          "--output",
          out,
        ]),
      ),
      cwd: PROJECT_ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stderr = new TextDecoder().decode(res.stderr);
    assert.equal(res.code, 0, `${stderr}\n${this.logs()}`);
    assert.deepEqual(await readCounts(out), referenceCounts(text));
    return stderr;
  }

  /** Kills the workers and waits until the master has dropped them. */
  async stopWorkers(): Promise<void> {
    const workers = this.procs.splice(1);
    for (const p of workers) p.kill("SIGKILL");
    await Promise.all(workers.map((p) => p.child.status));
    await waitFor(
      "the master to drop the workers",
      async () => (await getJson(`${this.url}/api/v1/overview`)).taskmanagers === 0,
      30_000,
    );
  }

  /** Kills every process, tears the network down and removes `dir`; returns what was left. */
  async stop(): Promise<string[]> {
    for (const p of this.procs) p.kill("SIGKILL");
    await Promise.all(this.procs.map((p) => p.child.status));
    const left = this.net.tearDown();
    await Deno.remove(this.dir, { recursive: true });
    return left;
  }

  private inNs(h: NetHost): string[] {
    return [...this.net.exec(h.role), Deno.execPath()];
  }
}
