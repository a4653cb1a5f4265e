/** Every error path of `spate run` / `spate plan`: one clear message, the right exit code. */

import assert from "node:assert/strict";
import { jobPath, runCli } from "../_helpers/cli.ts";
import { freePort } from "../_helpers/cluster.ts";

Deno.test("a missing job file: exit 2 and the path", async () => {
  const res = await runCli(["run", "no/such/job.ts"]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /job file not found: no\/such\/job.ts/);
});

Deno.test("a job with a syntax error: exit 2, cannot load", async () => {
  const res = await runCli(["run", jobPath("syntax_error.ts")]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /error: cannot load job .*syntax_error.ts/);
  assert.equal(res.stderr.trim().split("\n").length <= 6, true, res.stderr);
});

Deno.test("an exception while building the graph: exit 2 with its message", async () => {
  const res = await runCli(["run", jobPath("build_error.ts")]);
  assert.equal(res.code, 2);
  assert.match(
    res.stderr,
    /failed while building its graph: parallelism must be a positive integer, got 0/,
  );
  const noSink = await runCli(["plan", jobPath("no_sink.ts")]);
  assert.equal(noSink.code, 2);
  assert.match(noSink.stderr, /defines no sink/);
  const noExecute = await runCli(["run", jobPath("no_execute.ts")]);
  assert.equal(noExecute.code, 2);
  assert.match(noExecute.stderr, /never called env.execute\(\)/);
});

Deno.test("a user function throwing at run time: FAILED, operator, subtask, error and stack, exit 1", async () => {
  const res = await runCli(["run", jobPath("runtime_error.ts"), "-p", "2"]);
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /Job 'runtime-error' FAILED/);
  assert.match(res.stderr, /operator: Explode \(subtask 1\)/);
  assert.match(res.stderr, /error: {4}cannot handle record 77777/);
  assert.match(
    res.stderr,
    /stack:\n\s+Error: cannot handle record 77777\n\s+at .*runtime_error.ts/,
  );
});

Deno.test("a job that builds a different graph in the slots fails with a clear message", async () => {
  const res = await runCli([
    "run",
    jobPath("nondeterministic.ts"),
    "--restart-strategy",
    "fixed-delay:3:100",
  ]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /built a different graph in the slot/);
  // Restarting cannot help: the job fails at once, not after its restart strategy's attempts.
  assert.doesNotMatch(res.stderr, /RESTARTING/);
});

Deno.test("bad flags: one line that says what is wrong, where to read more, exit 2", async () => {
  for (
    const [args, message, hint] of [
      [
        ["run", jobPath("no_sink.ts"), "--bogus"],
        /unknown flag '--bogus' \(job arguments go after --: spate run .*no_sink.ts -- --bogus\)/,
        "spate run --help",
      ],
      [
        ["run", "job.ts", "--top", "3"],
        /unknown flag '--top' \(job arguments go after --: spate run job.ts -- --top 3\)/,
        "spate run --help",
      ],
      [
        ["list", "--mastr", "h:1"],
        /unknown flag '--mastr' \(did you mean --master\?\)/,
        "spate list --help",
      ],
      [
        ["run", jobPath("no_sink.ts"), "-p", "zero"],
        /--parallelism must be a positive integer, got 'zero'/,
        "spate run --help",
      ],
      [["run"], /missing the job file/, "spate run --help"],
      [["run", "a.ts", "b.ts"], /one job file expected/, "spate run --help"],
      [["launch"], /unknown command 'launch'/, "spate help"],
      [["lst"], /unknown command 'lst' \(did you mean 'list'\?\)/, "spate help"],
      [["help", "wrker"], /unknown command 'wrker' \(did you mean 'worker'\?\)/, "spate help"],
      [
        ["run", jobPath("no_sink.ts"), "--mode", "fast"],
        /--mode must be streaming, batch or automatic/,
        "spate run --help",
      ],
      [
        ["worker", "-m", "ftp://h:1"],
        /--master 'ftp:\/\/h:1' has the scheme ftp/,
        "spate worker --help",
      ],
    ] as const
  ) {
    const res = await runCli([...args]);
    assert.equal(res.code, 2, `${args.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, message);
    assert.equal(res.stderr, `${res.stderr.split("\n")[0]}\nsee '${hint}'\n`, res.stderr);
    assert.equal(res.stderr.split("'").length % 2, 1, `balanced quotes: ${res.stderr}`);
  }
});

Deno.test("an unreachable master: one line without a stack, exit 3, for run, list, cancel and savepoint", async () => {
  const master = `127.0.0.1:${freePort()}`;
  for (
    const args of [
      ["run", "examples/wordcount.ts", "--master", master],
      ["list", "--master", master],
      ["cancel", "0".repeat(32), "-m", master],
      ["savepoint", "0".repeat(32), "-m", master],
    ]
  ) {
    const res = await runCli(args);
    assert.equal(res.code, 3, `${args.join(" ")}: ${res.stderr}`);
    // (run first says which mode the job would run in)
    const lines = res.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("running '"));
    assert.deepEqual(lines, [
      `error: cannot reach the master at http://${master}: connection refused ` +
      "(is it running? check --master or $SPATE_MASTER)",
    ]);
  }
});

Deno.test("spate --version and spate version print the version", async () => {
  for (const flag of ["--version", "version"]) {
    const res = await runCli([flag]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^spate \d+\.\d+\.\d+ \(deno \d+\.\d+\.\d+\)\n$/);
  }
});

Deno.test("not enough slots: exit 2 with what the job needs", async () => {
  const res = await runCli(["run", "examples/wordcount.ts", "-p", "3", "--slots", "2"]);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /needs 3 slots, cluster has 2 free/);
});

Deno.test("spate plan prints the JobGraph as text and JSON", async () => {
  const text = await runCli(["plan", "examples/wordcount.ts", "-p", "2"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Job 'wordcount' \(batch mode, 2 vertices, 2 slots/);
  assert.match(text.stdout, /Source: readTextFile\(.*\) -> Tokenize {2}parallelism=2/);
  assert.match(text.stdout, /-> \[\d+\] HASH/);
  const json = await runCli(["plan", "examples/wordcount.ts", "--json", "--disable-chaining"]);
  const plan = JSON.parse(json.stdout);
  assert.equal(plan.vertices.length, 5);
  assert.deepEqual(plan.edges.map((e: { partitioner: string }) => e.partitioner), [
    "forward",
    "hash",
    "forward",
    "forward",
  ]);
});

Deno.test("--help after any command prints the usage and exits 0; after -- it belongs to the job", async () => {
  for (const command of ["run", "worker", "savepoint", "cancel"]) {
    const res = await runCli([command, "--help"]);
    assert.equal(res.code, 0, `${command}: ${res.stderr}`);
    assert.match(res.stdout, /Usage:/);
  }
  const res = await runCli(["plan", jobPath("no_sink.ts"), "--", "--help"]);
  assert.doesNotMatch(res.stdout, /Usage:/);
});

Deno.test("spate master --ha etcd: missing --etcd or --ha-storage-dir, or HA flags without --ha: exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--ha", "etcd", "--ha-storage-dir", "/tmp/x"], /--ha etcd needs --etcd http:\/\/HOST:2379/],
    [["--ha", "etcd", "--etcd", "http://127.0.0.1:1"], /--ha etcd needs --ha-storage-dir/],
    [["--etcd", "http://127.0.0.1:1"], /--etcd is for --ha etcd/],
    [["--ha-storage-dir", "/tmp/x"], /--ha-storage-dir is for --ha etcd/],
    [["--ha", "etcd", "--etcd", "ftp://e:1", "--ha-storage-dir", "/tmp/x"], /must start with http/],
  ];
  for (const [flags, message] of cases) {
    const res = await runCli(["master", "--port", "0", ...flags]);
    assert.equal(res.code, 2, `${flags.join(" ")}: ${res.stderr}`);
    assert.match(res.stderr, message);
  }
});
