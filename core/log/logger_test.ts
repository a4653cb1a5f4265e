import assert from "node:assert/strict";
import { configureLogging, Logger, type LogSettings } from "./logger.ts";

/** Runs `body` with the process's lines captured in `settings`' format and level. */
function captured(settings: Partial<LogSettings>, body: () => void): string[] {
  const lines: string[] = [];
  const before = configureLogging({
    now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    ...settings,
    write: (l) => lines.push(l),
  });
  try {
    body();
  } finally {
    configureLogging(before);
  }
  return lines;
}

Deno.test("text lines keep their look: [component], the job, the error's stack", () => {
  const error = new Error("disk full");
  const lines = captured({}, () => {
    new Logger("master").warn("worker lost");
    new Logger("master").info("restarting", { jobId: "j1", attempt: 2 });
    new Logger("spate", "").info("spate master listening on http://x");
    new Logger("rest").error("GET /x", { error });
  });
  assert.deepEqual(lines.slice(0, 3), [
    "[master] worker lost",
    "[master] [job j1] restarting",
    "spate master listening on http://x",
  ]);
  assert.equal(lines[3], `[rest] GET /x: ${error.stack}`);
});

Deno.test("JSON lines: one object each, fixed fields first, the error's stack apart", () => {
  const error = new TypeError("bad record");
  const lines = captured({ format: "json" }, () => {
    new Logger("master").info("job RUNNING", { jobId: "j1", state: "RUNNING", n: 10n });
    new Logger("worker-1").error("task failed", { error });
  });
  assert.equal(lines.length, 2);
  const [a, b] = lines.map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(a), [
    "time",
    "level",
    "component",
    "jobId",
    "message",
    "state",
    "n",
  ]);
  assert.deepEqual(a, {
    time: "2026-01-02T03:04:05.000Z",
    level: "info",
    component: "master",
    jobId: "j1",
    message: "job RUNNING",
    state: "RUNNING",
    n: "10",
  });
  assert.equal(b.level, "error");
  assert.equal(b.message, "task failed: bad record");
  assert.equal(b.stack, error.stack);
  assert.ok(!lines.some((l) => l.includes("\n")), "one line per object");
});

Deno.test("the level drops the lines below it", () => {
  const log = new Logger("c");
  const levels = (level: LogSettings["level"]) =>
    captured({ level }, () => {
      log.debug("d");
      log.info("i");
      log.warn("w");
      log.error("e");
    }).map((l) => l.slice(4));
  assert.deepEqual(levels("debug"), ["d", "i", "w", "e"]);
  assert.deepEqual(levels("info"), ["i", "w", "e"]);
  assert.deepEqual(levels("warn"), ["w", "e"]);
  assert.deepEqual(levels("error"), ["e"]);
});
