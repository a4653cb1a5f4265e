/**
 * The window examples through the CLI on the embedded local cluster:
 * `examples/sessionization.ts` and `examples/top_n.ts` at parallelism 1 and
 * 2, their `--output` lines against references computed here from the same
 * generated clickstream. The references replay the clicks in arrival order
 * with the watermark after each click (the examples' default watermarks), as
 * Flink's window operator evaluates them: a session or window closes when the
 * watermark passes its last millisecond, and a click whose every window is
 * closed is late.
 */

import assert from "node:assert/strict";
import { runCli } from "../_helpers/cli.ts";
import { type Click, clickstream } from "../../examples/clickstream.ts";

const OUT_OF_ORDERNESS_MS = 5_000;

interface Reference {
  readonly lines: string[];
  readonly late: number;
  /** Clicks that joined two or more open sessions into one. */
  readonly bridges: number;
}

/** A user's open session: [start, end) is its window, last click + gap = end. */
interface OpenSession {
  start: number;
  end: number;
  clicks: number;
  pages: Set<string>;
}

function referenceSessions(clicks: Click[], gapMs: number): Reference {
  const open = new Map<string, OpenSession[]>();
  const lines: string[] = [];
  let late = 0;
  let bridges = 0;
  let maxTs = -Infinity;
  const close = (user: string, s: OpenSession) => {
    const last = s.end - gapMs;
    lines.push(`session,${user},${s.start},${last},${last - s.start},${s.clicks},${s.pages.size}`);
  };
  for (const c of clicks) {
    const watermark = maxTs - OUT_OF_ORDERNESS_MS - 1;
    const sessions = open.get(c.user) ?? [];
    const touching = sessions.filter((s) => s.start <= c.ts + gapMs && s.end >= c.ts);
    if (touching.length === 0 && c.ts + gapMs - 1 <= watermark) {
      lines.push(`late,${c.user},${c.page},${c.ts}`);
      late++;
    } else {
      if (touching.length > 1) bridges++;
      const merged: OpenSession = {
        start: Math.min(c.ts, ...touching.map((s) => s.start)),
        end: Math.max(c.ts + gapMs, ...touching.map((s) => s.end)),
        clicks: 1 + touching.reduce((n, s) => n + s.clicks, 0),
        pages: new Set([c.page, ...touching.flatMap((s) => [...s.pages])]),
      };
      open.set(c.user, [...sessions.filter((s) => !touching.includes(s)), merged]);
    }
    maxTs = Math.max(maxTs, c.ts);
    const next = maxTs - OUT_OF_ORDERNESS_MS - 1;
    for (const [user, list] of open) {
      for (const s of list.filter((s) => s.end - 1 <= next)) close(user, s);
      open.set(user, list.filter((s) => s.end - 1 > next));
    }
  }
  for (const [user, list] of open) for (const s of list) close(user, s);
  return { lines: lines.sort(), late, bridges };
}

function referenceTopN(clicks: Click[], n: number, sizeMs: number, slideMs: number): Reference {
  const views = new Map<number, Map<string, number>>(); // window end -> page -> views
  const lines: string[] = [];
  let late = 0;
  let maxTs = -Infinity;
  for (const c of clicks) {
    const watermark = maxTs - OUT_OF_ORDERNESS_MS - 1;
    const ends: number[] = [];
    for (let start = c.ts - (c.ts % slideMs); start > c.ts - sizeMs; start -= slideMs) {
      if (start + sizeMs - 1 > watermark) ends.push(start + sizeMs);
    }
    if (ends.length === 0) {
      lines.push(`late,${c.user},${c.page},${c.ts}`);
      late++;
    }
    for (const end of ends) {
      const pages = views.get(end) ?? new Map<string, number>();
      pages.set(c.page, (pages.get(c.page) ?? 0) + 1);
      views.set(end, pages);
    }
    maxTs = Math.max(maxTs, c.ts);
  }
  for (const [end, pages] of views) {
    const ranked = [...pages].sort(([p1, v1], [p2, v2]) => v2 - v1 || (p1 < p2 ? -1 : 1));
    ranked.slice(0, n).forEach(([page, v], i) =>
      lines.push(`top,${end - sizeMs},${end},${i + 1},${page},${v}`)
    );
  }
  return { lines: lines.sort(), late, bridges: 0 };
}

async function runExample(example: string, parallelism: number, args: string[]) {
  const output = await Deno.makeTempFile({ prefix: "spate-example-" });
  try {
    const res = await runCli([
      "run",
      `examples/${example}`,
      "--local",
      "-p",
      String(parallelism),
      "--",
      ...args,
      "--output",
      output,
    ]);
    assert.equal(res.code, 0, res.stderr);
    const lines = (await Deno.readTextFile(output)).split("\n").filter((l) => l !== "");
    return { stdout: res.stdout, lines: lines.sort() };
  } finally {
    await Deno.remove(output);
  }
}

const SESSION_CASES = [
  { events: 3000, users: 20, gapMs: 30_000 },
  // A gap shorter than the pauses within a burst: clicks arriving out of order bridge sessions.
  { events: 3000, users: 20, gapMs: 12_000 },
];

for (const parallelism of [1, 2]) {
  for (const { events, users, gapMs } of SESSION_CASES) {
    Deno.test(`sessionization example, gap ${gapMs} ms, parallelism ${parallelism}`, async () => {
      const expected = referenceSessions(clickstream({ events, users }), gapMs);
      assert.ok(expected.late > 0, "some clicks are late");
      if (gapMs < 20_000) assert.ok(expected.bridges > 0, "some clicks join two sessions");
      const args = ["--events", `${events}`, "--users", `${users}`, "--gap-ms", `${gapMs}`];
      const { stdout, lines } = await runExample("sessionization.ts", parallelism, args);
      assert.deepEqual(lines, expected.lines);
      const sessions = expected.lines.length - expected.late;
      assert.match(
        stdout,
        new RegExp(`^${sessions} sessions of ${users} users in ${events} clicks`),
      );
      assert.match(stdout, new RegExp(`Late clicks \\(side output\\): ${expected.late}\\n`));
    });
  }
}

const TOP_N_CASES = [
  { n: 5, events: 3000, users: 50, windowMs: 60_000, slideMs: undefined },
  { n: 3, events: 3000, users: 50, windowMs: 120_000, slideMs: 30_000 },
];

for (const parallelism of [1, 2]) {
  for (const { n, events, users, windowMs, slideMs } of TOP_N_CASES) {
    const kind = slideMs === undefined ? "tumbling" : "sliding";
    Deno.test(`top_n example, ${kind} windows, parallelism ${parallelism}`, async () => {
      const clicks = clickstream({ events, users });
      const expected = referenceTopN(clicks, n, windowMs, slideMs ?? windowMs);
      assert.ok(expected.late > 0, "some clicks are late");
      const args = ["--n", `${n}`, "--events", `${events}`, "--users", `${users}`];
      args.push("--window-ms", `${windowMs}`, ...(slideMs ? ["--slide-ms", `${slideMs}`] : []));
      const { stdout, lines } = await runExample("top_n.ts", parallelism, args);
      assert.deepEqual(lines, expected.lines);
      assert.match(
        stdout,
        new RegExp(`Late clicks \\(side output, not counted\\): ${expected.late}`),
      );
    });
  }
}
