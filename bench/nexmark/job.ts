// Nexmark benchmark job: --query qN over --events generated events (--seed,
// --rate events per second of event time). Each subtask of the last stage
// folds its rows into an order-independent checksum and, at the end of its
// input, sends one summary row; the client prints their sum as
// `nexmark-result {"rows":R,"checksum":C,"startMs":T0,"endMs":T1}` (the span
// from the first subtask opening to the last one ending, start-up excluded).
// With `--timeline N`, each subtask also notes the time of every N-th row and
// the result carries them (`"timelines":[[T,...],...]`): the rate over any
// span of the run, as `deno task bench metrics` needs.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";
import { DEFAULT_NEXMARK_CONFIG } from "./generator.ts";
import { queryNamed } from "./queries/mod.ts";
import { foldRow, type Row } from "./queries/query.ts";
import { nexmarkEvents } from "./source.ts";

const params = ParameterTool.fromArgs(jobArgs());
const query = queryNamed(params.get("query", "q0"));
const events = params.getNumber("events", 1_000_000);
const config = {
  ...DEFAULT_NEXMARK_CONFIG,
  seed: params.getNumber("seed", 0),
  eventsPerSecond: params.getNumber("rate", DEFAULT_NEXMARK_CONFIG.eventsPerSecond),
};

/** Wall-clock time comparable across threads and processes of one host. */
const now = () => performance.timeOrigin + performance.now();

type Summary = [
  rows: number,
  checksum: number,
  startMs: number,
  endMs: number,
  timeline: number[],
];

const timelineEvery = params.getNumber("timeline", 0);
const env = StreamExecutionEnvironment.getExecutionEnvironment();
let rows = 0, checksum = 0, startMs = 0, nextMark = timelineEvery;
const timeline: number[] = [];
const summaries = await query.build(nexmarkEvents(env, events, config))
  .process<Summary>({
    open() {
      startMs = now();
    },
    processElement(row: Row) {
      rows++;
      checksum = foldRow(checksum, row);
      if (rows === nextMark) {
        timeline.push(now());
        nextMark += timelineEvery;
      }
    },
    endInput(out) {
      out.collect([rows, checksum, startMs, now(), timeline]);
    },
  }).name("Checksum")
  .executeAndCollect(`nexmark ${query.name}`).toArray();

const total = summaries.reduce(
  (t, [r, c, s, e]) => ({
    rows: t.rows + r,
    checksum: (t.checksum + c) >>> 0,
    startMs: Math.min(t.startMs, s),
    endMs: Math.max(t.endMs, e),
  }),
  { rows: 0, checksum: 0, startMs: Infinity, endMs: 0 },
);
const timelines = timelineEvery > 0 ? { timelines: summaries.map((s) => s[4]) } : {};
console.log(`nexmark-result ${JSON.stringify({ ...total, ...timelines })}`);
