/**
 * A leader-election candidate in its own process, for tests that kill or
 * freeze a leader (SIGKILL, SIGSTOP) as a crash or a partition would.
 *
 * `deno run -A tests/_helpers/ha_candidate.ts ETCD_URL CLUSTER_ID URL TTL_MS`
 * campaigns at once and prints one JSON line per event on stdout:
 * `{"event":"elected","token":N}`, `{"event":"lost","reason":"..."}`,
 * `{"event":"leader","url":"...","token":N}`. Commands on stdin, one a line:
 * `write KEY VALUE` makes a fenced write with the last term it was elected
 * for, even after it lost it (as a deposed leader that has not noticed yet),
 * and prints `{"event":"write","ok":true}` or `{"event":"write","ok":false,"error":"..."}`;
 * `close` resigns and exits.
 *
 * @example
 * ```ts ignore
 * const child = new Deno.Command(Deno.execPath(), {
 *   args: ["run", "-A", "tests/_helpers/ha_candidate.ts", etcdUrl, "c1", "http://a:1", "3000"],
 *   stdin: "piped", stdout: "piped",
 * }).spawn();
 * ```
 * @module
 */

import { FencedWriter, LeaderElection, type Leadership } from "../../nodes/master/ha/mod.ts";

function print(line: Record<string, unknown>): void {
  console.log(JSON.stringify(line));
}

if (import.meta.main) {
  const [etcdUrl, clusterId, url, ttl] = Deno.args;
  const election = new LeaderElection({
    endpoints: [etcdUrl],
    clusterId,
    url,
    sessionTtlMs: Number(ttl),
    log: (line) => print({ event: "log", line }),
  });
  let term: Leadership | undefined;
  election.on("elected", (l) => {
    term = l;
    print({ event: "elected", token: l.token });
  });
  election.on("lost", (reason) => print({ event: "lost", reason }));
  election.on("leaderChanged", (l) => print({ event: "leader", url: l?.url, token: l?.token }));
  election.campaign();
  const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
  let buffered = "";
  for await (const chunk of lines) {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const [cmd, key, value] = buffered.slice(0, nl).split(" ");
      buffered = buffered.slice(nl + 1);
      if (cmd === "close") {
        await election.close();
        Deno.exit(0);
      }
      if (cmd === "write") {
        try {
          if (!term) throw new Error("never elected");
          await new FencedWriter(election.etcd, clusterId, term).put(key, value);
          print({ event: "write", ok: true });
        } catch (e) {
          print({ event: "write", ok: false, error: (e as Error).message });
        }
      }
    }
  }
  await election.close();
}
