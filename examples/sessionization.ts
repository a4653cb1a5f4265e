/**
 * Sessionization: cuts each user's clicks into sessions that end after
 * `--gap-ms` without a click (event-time session windows), and reports per
 * session the user, first and last click, duration, clicks and distinct
 * pages. Clicks that arrive after their session was closed go to a side
 * output and are reported apart.
 *
 *   spate run examples/sessionization.ts --local -p 2 -- --users 10 --events 500
 *
 * Flags (after `--`): `--events N` (clicks, default 500), `--users N` (10),
 * `--gap-ms MS` (30000), `--out-of-orderness-ms MS` (5000), `--seed N` (42),
 * `--periodic` (periodic watermarks: which clicks are late then depends on
 * timing), `--show N` (sessions printed, default 20), `--output PATH` (write
 * every session as `session,user,startMs,endMs,durationMs,clicks,pages` and
 * every late click as `late,user,page,ts`). The clicks come from
 * `clickstream.ts`; they are one ordered log, so the source and its
 * watermarks run in one subtask and the sessions at the job's parallelism.
 * @module
 */

import {
  EventTimeSessionWindows,
  jobArgs,
  OutputTag,
  ParameterTool,
  StreamExecutionEnvironment,
} from "spate";
import type { AggregateFunction, ProcessWindowFunction, TimeWindow } from "spate";
import { type Click, clickSource, clock } from "./clickstream.ts";

/** One session: first and last click (event time), clicks and distinct pages. */
interface Session {
  user: string;
  startMs: number;
  endMs: number;
  clicks: number;
  pages: number;
}

/** What a session window folds its clicks into. */
interface SessionStats {
  clicks: number;
  pages: string[];
}

/** Counts clicks and distinct pages; `merge` joins sessions that one click bridged. */
const sessionStats: AggregateFunction<Click, SessionStats, SessionStats> = {
  createAccumulator: () => ({ clicks: 0, pages: [] }),
  add: (click, acc) => ({
    clicks: acc.clicks + 1,
    pages: acc.pages.includes(click.page) ? acc.pages : [...acc.pages, click.page],
  }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ clicks: a.clicks + b.clicks, pages: [...new Set([...a.pages, ...b.pages])] }),
};

/** A session window is [first click, last click + gap): the session from its stats. */
function toSession(
  gapMs: number,
): ProcessWindowFunction<SessionStats, Session, string, TimeWindow> {
  return {
    process(user, ctx, [stats], out) {
      const { start, end } = ctx.window;
      const pages = stats.pages.length;
      out.collect({ user, startMs: start, endMs: end - gapMs, clicks: stats.clicks, pages });
    },
  };
}

/** `1m05s` */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** One line of the session table. */
function row(s: Session): string {
  const dur = duration(s.endMs - s.startMs).padStart(8);
  const counts = `${String(s.clicks).padStart(6)}  ${String(s.pages).padStart(5)}`;
  return `  ${s.user.padEnd(5)}  ${clock(s.startMs)}  ${clock(s.endMs)}  ${dur}  ${counts}`;
}

const params = ParameterTool.fromArgs(jobArgs());
const gapMs = params.getNumber("gap-ms", 30_000);
const show = params.getNumber("show", 20);
const output = params.get("output");

// Streaming: watermarks decide when a session closes and which clicks are late.
const env = StreamExecutionEnvironment.getExecutionEnvironment().setRuntimeMode("streaming");
const { clicks, events, users } = clickSource(env, params, { events: 500, users: 10 });

const lateTag = new OutputTag<Click>("late-clicks");
const sessions = clicks.keyBy((click) => click.user)
  .window(EventTimeSessionWindows.withGap(gapMs))
  .sideOutputLateData(lateTag)
  .aggregate(sessionStats, toSession(gapMs))
  .name("Sessions");

type Result = { session: Session } | { late: Click };
const results = await sessions.map((session): Result => ({ session }))
  .union(sessions.getSideOutput(lateTag).map((late): Result => ({ late })))
  .executeAndCollect("sessionization").toArray();

const found = results.flatMap((r) => "session" in r ? [r.session] : [])
  .sort((a, b) => a.startMs - b.startMs || (a.user < b.user ? -1 : 1));
const late = results.flatMap((r) => "late" in r ? [r.late] : [])
  .sort((a, b) => a.ts - b.ts || (a.user < b.user ? -1 : 1));

console.log(`${found.length} sessions of ${users} users in ${events} clicks (gap ${gapMs} ms):`);
console.log("  user   start     end        duration  clicks  pages");
for (const s of found.slice(0, show)) console.log(row(s));
if (found.length > show) console.log(`  ... ${found.length - show} more`);
const perSession = (sum: number) => sum / Math.max(found.length, 1);
const clicksEach = perSession(found.reduce((n, s) => n + s.clicks, 0)).toFixed(1);
const msEach = perSession(found.reduce((n, s) => n + s.endMs - s.startMs, 0));
console.log(`Per session: ${clicksEach} clicks, ${duration(msEach)} on average.`);
console.log(`Late clicks (side output): ${late.length}`);
for (const c of late.slice(0, show)) console.log(`  ${c.user} ${c.page} at ${clock(c.ts)}`);

if (output !== undefined) {
  const lines = [
    ...found.map((s) =>
      `session,${s.user},${s.startMs},${s.endMs},${s.endMs - s.startMs},${s.clicks},${s.pages}`
    ),
    ...late.map((c) => `late,${c.user},${c.page},${c.ts}`),
  ];
  await Deno.writeTextFile(output, lines.join("\n") + "\n");
}
