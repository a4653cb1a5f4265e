import assert from "node:assert/strict";
import {
  COMMANDS,
  defaultText,
  isOneOf,
  jobGroup,
  OPTION_LIST,
  OPTIONS,
  optionsOf,
  submissionRange,
} from "./options.ts";

const UNIT_SUFFIX = { ms: "Ms", bytes: "Bytes", MiB: "Mb" } as const;

Deno.test("within a command, every flag and short flag names one option", () => {
  for (const command of COMMANDS) {
    const flags = optionsOf(command).map((o) => o.flag);
    assert.equal(new Set(flags).size, flags.length, `${command}: ${flags}`);
    const shorts = optionsOf(command).flatMap((o) => o.short ?? []);
    assert.equal(new Set(shorts).size, shorts.length, `${command}: ${shorts}`);
    assert.ok(!shorts.includes("h"), "-h is help");
  }
});

Deno.test("an option has a flag exactly when some command takes it", () => {
  for (const o of OPTION_LIST) {
    assert.equal(o.flag !== undefined, o.commands.length > 0, o.key);
    if (o.flag !== undefined) assert.match(o.flag, /^[a-z][a-z0-9-]*$/, o.key);
  }
});

Deno.test("each default is a legal value: within its bounds, one of its values", () => {
  for (const o of OPTION_LIST) {
    if (o.type === "enum") assert.ok(isOneOf(o.values!, o.default), o.key);
    if ((o.type === "int" || o.type === "number") && o.default !== undefined) {
      const n = o.default as number;
      const ok = (n === 0 && o.zero !== undefined) ||
        (n >= (o.min ?? -Infinity) && n <= (o.max ?? Infinity));
      assert.ok(ok, `${o.key}: ${n}`);
      if (o.type === "int") assert.ok(Number.isInteger(n), o.key);
    }
    if (o.type !== "boolean") assert.ok(o.arg !== undefined || o.flag === undefined, o.key);
  }
});

Deno.test("a key ends with its unit", () => {
  for (const o of OPTION_LIST) {
    if (o.unit !== undefined) assert.ok(o.key.endsWith(UNIT_SUFFIX[o.unit]), o.key);
  }
});

Deno.test("every time flag takes milliseconds, written MS", () => {
  const times = OPTION_LIST.filter((o) => /(Ms|Seconds|Timeout|Interval|Pause)$/.test(o.key));
  assert.ok(times.length >= 7, `${times.length} time options`);
  for (const o of times) {
    assert.equal(o.unit, "ms", o.key);
    if (o.flag !== undefined) assert.equal(o.arg, "MS", o.key);
  }
});

Deno.test("a job setting has one field; groups gather theirs", () => {
  const fields = OPTION_LIST.flatMap((o) => o.job ?? []);
  assert.equal(new Set(fields).size, fields.length);
  assert.deepEqual([...jobGroup("checkpointConfig").keys()], [
    "timeoutMs",
    "minPauseMs",
    "maxConcurrent",
    "tolerableFailures",
  ]);
  assert.equal(jobGroup("network").get("creditsPerRemoteChannel")?.default, 128);
});

Deno.test("a submission may carry 0 where it has a meaning", () => {
  assert.deepEqual(submissionRange(OPTIONS.checkpointIntervalMs), [0, 86_400_000]);
  assert.deepEqual(submissionRange(OPTIONS.slotTimeoutMs), [0, 86_400_000]);
  assert.deepEqual(submissionRange(OPTIONS.bufferSizeBytes), [256, 4 * 1024 * 1024]);
});

Deno.test("defaults read as help shows them", () => {
  assert.equal(defaultText(OPTIONS.bufferTimeoutMs), "100 ms");
  assert.equal(defaultText(OPTIONS.parallelism), "1");
  assert.equal(defaultText(OPTIONS.detached), "off");
  assert.equal(defaultText(OPTIONS.checkpointIntervalMs), "off");
});
