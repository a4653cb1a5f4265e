import assert from "node:assert/strict";
import { masterOrigin, parseFlags } from "./flags.ts";
import { parseJobOptions } from "./job_options.ts";
import { UsageError } from "./usage.ts";

Deno.test("flags parse by their registry type into values by option key", () => {
  const { values, positionals } = parseFlags("worker", [
    "-m",
    "hostA:8081",
    "--slots",
    "4",
    "--memory-mb",
    "256",
  ]);
  assert.deepEqual(values, { masterUrl: "hostA:8081", workerSlots: 4, managedMemoryMb: 256 });
  assert.deepEqual(positionals, []);
  assert.deepEqual(parseFlags("cancel", ["j", "--with-savepoint"], 1).values, {
    withSavepoint: true,
  });
});

Deno.test("a bad value is a usage error that names the flag, its bound and the value", () => {
  for (
    const [command, args, message] of [
      ["run", ["j.ts", "-p", "zero"], "--parallelism must be a positive integer, got 'zero'"],
      [
        "run",
        ["j.ts", "--mode", "fast"],
        "--mode must be streaming, batch or automatic, got 'fast'",
      ],
      ["run", ["j.ts", "--buffer-size", "10"], "--buffer-size must be at least 256 bytes, got 10"],
      [
        "run",
        ["j.ts", "--task-slice-ms", "0"],
        "--task-slice-ms must be a positive integer, got '0'",
      ],
      [
        "plan",
        ["j.ts", "--checkpoint-min-pause=-5"],
        "--checkpoint-min-pause must be an integer >= 0, got '-5'",
      ],
      [
        "plan",
        ["j.ts", "--buffer-timeout=-1"],
        "--buffer-timeout must be a number of ms in 0..2147483647, got '-1'",
      ],
      [
        "plan",
        ["j.ts", "--checkpoint-mode", "twice"],
        "--checkpoint-mode must be exactly_once, at_least_once or unaligned, got 'twice'",
      ],
      ["plan", ["j.ts", "--state-backend", "s3"], "--state-backend must be heap or disk, got 's3'"],
      ["plan", ["j.ts", "--max-parallelism", "40000"], "--max-parallelism must be at most 32768"],
      ["master", ["--port=-1"], "--port must be an integer >= 0, got '-1'"],
      ["local", ["--workers", "0"], "--workers must be a positive integer, got '0'"],
    ] as const
  ) {
    assert.throws(
      () =>
        command === "master" || command === "local"
          ? parseFlags(command, [...args])
          : parseJobOptions(command, [...args]),
      (e: Error) => e instanceof UsageError && e.message.includes(message),
      `${args.join(" ")}`,
    );
  }
});

Deno.test("job flags become the job's defaults; the network and checkpoint groups only when given", () => {
  const none = parseJobOptions("plan", ["j.ts"]).defaults;
  assert.equal(none.network, undefined);
  assert.equal(none.checkpointConfig, undefined);
  const opts = parseJobOptions("run", [
    "j.ts",
    "--credits-per-remote-channel",
    "64",
    "--disable-chaining",
    "--checkpoint-timeout",
    "5000",
    "--",
    "--job-flag",
  ]);
  assert.equal(opts.defaults.network?.creditsPerRemoteChannel, 64);
  assert.equal(opts.defaults.network?.bufferSizeBytes, undefined);
  assert.equal(opts.defaults.checkpointConfig?.timeoutMs, 5000);
  assert.equal(opts.defaults.chainingEnabled, false);
  assert.deepEqual(opts.jobArgs, ["--job-flag"]);
});

Deno.test("an unknown flag names the nearest flag, and on run and plan where job arguments go", () => {
  for (
    const [command, args, message] of [
      ["list", ["--mastr", "h:1"], "spate list: unknown flag '--mastr' (did you mean --master?)"],
      ["worker", ["--slot", "2"], "spate worker: unknown flag '--slot' (did you mean --slots?)"],
      ["master", ["--verbose"], "spate master: unknown flag '--verbose'"],
      [
        "run",
        ["job.ts", "--top", "3"],
        "spate run: unknown flag '--top' (job arguments go after --: spate run job.ts -- --top 3)",
      ],
      [
        "plan",
        ["--paralelism=2", "j.ts"],
        "spate plan: unknown flag '--paralelism' (did you mean --parallelism? job arguments go " +
        "after --: spate plan j.ts -- --paralelism=2)",
      ],
      ["run", ["j.ts", "-p"], "spate run: --parallelism needs a value (-p, --parallelism N)"],
      ["list", ["--json=yes"], "spate list: --json takes no value, got '--json=yes'"],
    ] as const
  ) {
    assert.throws(
      () => parseFlags(command, [...args], Infinity),
      (e: Error) => e instanceof UsageError && e.message === message,
      `${args.join(" ")}`,
    );
  }
});

Deno.test("--master takes host:port or an http(s) URL and names what is wrong with others", () => {
  assert.equal(masterOrigin("127.0.0.1:8081"), "http://127.0.0.1:8081");
  assert.equal(masterOrigin("https://hostA:8443/"), "https://hosta:8443");
  assert.equal(masterOrigin("[::1]:8081"), "http://[::1]:8081");
  for (
    const [value, why] of [
      ["ftp://h:21", "has the scheme ftp: only http and https are spoken"],
      ["h:99999", "has the port '99999': a port is a number in 1..65535"],
      ["h:0", "has the port '0'"],
      ["h:http", "has the port 'http'"],
      [":8081", "names no host"],
      ["http://:8081", "names no host"],
      ["a b:80", "is not a URL"],
    ]
  ) {
    assert.throws(
      () => masterOrigin(value),
      (e: Error) => e instanceof UsageError && e.message.startsWith(`--master '${value}' ${why}`),
      value,
    );
  }
  assert.throws(
    () => masterOrigin("x:1:2", "$SPATE_MASTER"),
    /^UsageError: \$SPATE_MASTER 'x:1:2'/,
  );
});
